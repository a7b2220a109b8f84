package forge

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"trellis"
	"trellis/suggest"
)

// InstanceToken is a token an administrator configured for a whole forge
// instance; accounts on that instance without a token of their own use it.
type InstanceToken struct {
	BaseURL string // web address, as NormalizeBaseURL gives it
	Token   string
}

// DefaultFirstWindow is how far back the first sync of an account looks.
const DefaultFirstWindow = 365 * 24 * time.Hour

// Syncer imports items of people's accounts into the store.
type Syncer struct {
	Store Store
	// Framework returns the framework a person's items are mapped in
	// (PersonFramework gives the usual one).
	Framework func(ctx context.Context, personID int64) (*trellis.Framework, error)
	// HTTP makes the requests; nil uses http.DefaultClient. Timeout bounds
	// each request (DefaultTimeout when 0).
	HTTP    *http.Client
	Timeout time.Duration
	// Instance holds the instance tokens per forge.
	Instance map[Kind]InstanceToken
	// FirstWindow is how far back a first sync looks; DefaultFirstWindow
	// when 0.
	FirstWindow time.Duration
	Clock       trellis.Clock
	// Logger receives operational messages; never a token.
	Logger *slog.Logger
	// Progress, when set, hears about each stored page (the CLI prints it).
	Progress func(msg string)

	mu      sync.Mutex
	indexes map[string]*suggest.Index
}

func (s *Syncer) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now().UTC()
}

func (s *Syncer) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Syncer) progress(format string, args ...any) {
	if s.Progress != nil {
		s.Progress(fmt.Sprintf(format, args...))
	}
}

// HasInstanceToken reports whether accounts on baseURL of forge k can sync
// without a token of their own.
func (s *Syncer) HasInstanceToken(k Kind, baseURL string) bool {
	it, ok := s.Instance[k]
	return ok && it.Token != "" && it.BaseURL == baseURL
}

func (s *Syncer) index(fw *trellis.Framework) *suggest.Index {
	if fw == nil {
		return nil
	}
	key := fw.Hash()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.indexes == nil || len(s.indexes) > 16 {
		s.indexes = map[string]*suggest.Index{}
	}
	ix, ok := s.indexes[key]
	if !ok {
		ix = suggest.New(fw)
		s.indexes[key] = ix
	}
	return ix
}

// SyncPerson syncs every account of a person, one after the other, and
// returns their runs. Each run says how its sync ended; the error is for
// faults of the store only.
func (s *Syncer) SyncPerson(ctx context.Context, personID int64) ([]*Run, error) {
	accounts, err := s.Store.ListAccounts(ctx, personID)
	if err != nil {
		return nil, err
	}
	runs := []*Run{}
	for _, a := range accounts {
		r, err := s.SyncAccount(ctx, a)
		if err != nil {
			return runs, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// SyncAccount reads an account's streams from their cursors and stores
// what is new. A sync that the forge stops (token, rate limit, timeout,
// 5xx) keeps the pages stored before, records the reason on the run and
// returns it without an error.
func (s *Syncer) SyncAccount(ctx context.Context, a *Account) (*Run, error) {
	run, err := s.Store.StartRun(ctx, a)
	if err != nil {
		return nil, err
	}
	stop := s.sync(ctx, a, run)
	run.FinishedAt = s.now()
	if stop != nil {
		if se, ok := AsSyncError(stop); ok {
			run.Error = se.Message
			if !se.ResumeAt.IsZero() {
				t := se.ResumeAt
				run.ResumeAt = &t
			}
		} else {
			run.Error = trellis.ErrorMessage(stop)
			if trellis.ErrorCode(stop) == trellis.EINTERNAL {
				s.logger().Error("forge sync", "account", a.ID, "err", stop)
			}
		}
		s.logger().Info("forge sync stopped", "account", a.ID, "person", a.PersonID, "added", run.Added, "reason", run.Error)
		s.progress("%s: stopped after %d new: %s", a, run.Added, run.Error)
	} else {
		s.progress("%s: done, %d new", a, run.Added)
	}
	// The outcome is recorded even when the sync's own context ran out.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.Store.FinishRun(fctx, run); err != nil {
		return run, err
	}
	return run, nil
}

func (s *Syncer) sync(ctx context.Context, acct *Account, run *Run) error {
	a, err := s.Store.AccountForSync(ctx, acct.ID)
	if err != nil {
		return err
	}
	token := a.Token
	if token == "" {
		if !s.HasInstanceToken(a.Kind, a.BaseURL) {
			return &SyncError{Reason: ReasonConfig, Message: fmt.Sprintf("The connection to %s has no token and this server has no instance token for %s; remove it and add it again with a token.", a, a.BaseURL)}
		}
		token = s.Instance[a.Kind].Token
	}
	var fw *trellis.Framework
	if s.Framework != nil {
		if fw, err = s.Framework(ctx, a.PersonID); err != nil {
			return err
		}
	}
	ix := s.index(fw)
	c, err := newClient(s.HTTP, a.Kind, a.BaseURL, token, s.Timeout, s.now)
	if err != nil {
		return &SyncError{Reason: ReasonConfig, Message: fmt.Sprintf("The address %s is not usable.", a.BaseURL)}
	}
	var src source
	switch a.Kind {
	case GitHub:
		src = &github{c: c, username: a.Username, baseURL: a.BaseURL}
	default:
		src = &gitlab{c: c, username: a.Username, baseURL: a.BaseURL}
	}
	window := s.FirstWindow
	if window <= 0 {
		window = DefaultFirstWindow
	}
	for _, stream := range src.streams() {
		since := a.State[stream]
		if since.IsZero() {
			since = s.now().Add(-window)
		}
		s.progress("%s: reading %s updated since %s", a, stream, since.Format(time.RFC3339))
		err := src.fetch(ctx, stream, since, func(items []*Item, through time.Time) error {
			if len(items) == 0 {
				return nil
			}
			for _, it := range items {
				it.PersonID = a.PersonID
				Map(fw, ix, it)
			}
			n, err := s.Store.SaveItems(ctx, a.ID, stream, through, items)
			if err != nil {
				return internal(err)
			}
			run.Added += n
			s.progress("%s: %s: %d read, %d new", a, stream, len(items), n)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// PersonFramework returns the framework a person's items are mapped in: the
// active framework that has their role, else the first active one.
func PersonFramework(people trellis.PersonService, frameworks trellis.FrameworkService) func(context.Context, int64) (*trellis.Framework, error) {
	return func(ctx context.Context, personID int64) (*trellis.Framework, error) {
		p, err := people.FindPerson(ctx, personID)
		if err != nil {
			return nil, err
		}
		versions, err := frameworks.ListFrameworks(ctx)
		if err != nil {
			return nil, err
		}
		var first *trellis.Framework
		for _, v := range versions {
			if !v.Active {
				continue
			}
			fw, _, err := frameworks.FindFramework(ctx, trellis.Ref{ID: v.ID})
			if err != nil {
				return nil, err
			}
			if _, ok := fw.Role(p.RoleID); ok {
				return fw, nil
			}
			if first == nil {
				first = fw
			}
		}
		return first, nil
	}
}
