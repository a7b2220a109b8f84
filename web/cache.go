package web

import (
	"bytes"
	"container/list"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"trellis"
	"trellis/auth"
)

// What the server keeps between requests, and why it is never stale: every
// entry is stored under the store's revision counters (trellis.
// RevisionService) read before it was computed. A write moves a counter in
// its own transaction, on whichever node or command made it, so the next
// request reads a new counter and misses the old entry, which ages out.
// Nothing is invalidated by hand and there is no time to live to tune.
//
//   - Actors: who a token or session belongs to, their managers and
//     teams, under the access revision (people, tags, token revocations,
//     frameworks).
//   - Responses of growth API reads about one person (their journal page,
//     their readiness): under the access revision, the person's growth
//     revision, the viewer, the scope of their token, the URL and the day.

// lru is a map of at most max cost, least recently used out first.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *lruEntry[V], most recently used first
	items map[string]*list.Element
}

type lruEntry[V any] struct {
	key   string
	value V
	cost  int
}

func newLRU[V any](maxCost int) *lru[V] {
	return &lru[V]{max: maxCost, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry[V]).value, true
}

// put stores value under key; a value costing more than the whole cache is
// not kept.
func (c *lru[V]) put(key string, value V, cost int) {
	if cost > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*lruEntry[V])
		c.size += cost - e.cost
		e.value, e.cost = value, cost
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&lruEntry[V]{key: key, value: value, cost: cost})
		c.size += cost
	}
	for c.size > c.max {
		el := c.order.Back()
		e := el.Value.(*lruEntry[V])
		c.order.Remove(el)
		delete(c.items, e.key)
		c.size -= e.cost
	}
}

// Cache sizes: a few thousand actors and a few megabytes of responses, well
// inside the server's memory budget.
const (
	actorCacheEntries  = 4096
	responseCacheBytes = 16 << 20
	responseMaxBytes   = 1 << 20
)

// readRevisions is what a request read of the revision counters: the
// access revision, and the growth revision of the person its path names
// when it names one.
type readRevisions struct {
	access   int64
	personID int64
	growth   int64
}

type revisionsKey struct{}

// accessRevision reads the access revision once per request and keeps it
// in the returned context; ok is false when the server has no revisions or
// they cannot be read, and then nothing is cached.
func (s *Server) accessRevision(ctx context.Context) (context.Context, int64, bool) {
	ctx, rev, ok := s.readRevisions(ctx, 0)
	return ctx, rev.access, ok
}

// readRevisions reads the access revision and, for personID other than 0,
// that person's growth revision, in one statement, and keeps them in the
// returned context for the rest of the request.
func (s *Server) readRevisions(ctx context.Context, personID int64) (context.Context, readRevisions, bool) {
	if rev, ok := ctx.Value(revisionsKey{}).(readRevisions); ok {
		return ctx, rev, true
	}
	if s.revisions == nil {
		return ctx, readRevisions{}, false
	}
	rev := readRevisions{personID: personID}
	var err error
	if rev.access, rev.growth, err = s.revisions.Revisions(ctx, personID); err != nil {
		s.logger.WarnContext(ctx, "reading the revision counters; not caching", "err", err)
		return ctx, readRevisions{}, false
	}
	return context.WithValue(ctx, revisionsKey{}, rev), rev, true
}

// apiPersonID is the person id an API path names (/api/v1/people/{pid}/...),
// or 0: authentication reads that person's growth revision together with
// the access revision, so that a growth read kept for them costs one
// statement, not two.
func apiPersonID(path string) int64 {
	rest, ok := strings.CutPrefix(path, "/api/v1/people/")
	if !ok {
		return 0
	}
	digits, _, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// cachedActor is an actor as read at rev, with the token that named them
// when the key is a token's.
type cachedActor struct {
	rev   int64
	actor trellis.Actor
	token *auth.APIToken
}

// rememberActor keeps the actor (and token) for key at rev.
func (s *Server) rememberActor(key string, rev int64, a trellis.Actor, tok *auth.APIToken) {
	if tok != nil {
		t := *tok
		tok = &t
	}
	s.actors.put(key, cachedActor{rev: rev, actor: cloneActor(a), token: tok}, 1)
}

// recalledActor returns copies of the actor and token kept for key, when
// they were read at rev.
func (s *Server) recalledActor(key string, rev int64) (trellis.Actor, *auth.APIToken, bool) {
	e, ok := s.actors.get(key)
	if !ok || e.rev != rev {
		s.metrics.cache("actor", false)
		return trellis.Actor{}, nil, false
	}
	s.metrics.cache("actor", true)
	var tok *auth.APIToken
	if e.token != nil {
		t := *e.token
		tok = &t
	}
	return cloneActor(e.actor), tok, true
}

// cloneActor copies an actor and its person, so that whoever gets it may
// change either without touching the original; the slices are clipped, so
// that even appending to a copy never writes into the kept one.
func cloneActor(a trellis.Actor) trellis.Actor {
	a.Chain = slices.Clip(slices.Clone(a.Chain))
	if a.Person != nil {
		p := *a.Person
		p.Teams, p.Regions = slices.Clip(slices.Clone(p.Teams)), slices.Clip(slices.Clone(p.Regions))
		if p.ManagerID != nil {
			m := *p.ManagerID
			p.ManagerID = &m
		}
		a.Person = &p
	}
	return a
}

// cachedResponse is a response as the handler wrote it.
type cachedResponse struct {
	header http.Header // the headers the handler set
	body   []byte
}

// growthCached serves a GET API route about the person in the path
// wildcard pid from the response cache when the counters it depends on
// have not moved, and keeps what the handler writes otherwise. It runs
// after the route's authorization, so only those allowed ever reach a kept
// response, and the viewer is part of the key, so what one may see is never
// served to another.
func (s *Server) growthCached(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, rev, ok := s.readRevisions(r.Context(), 0)
		pid, err := strconv.ParseInt(r.PathValue("pid"), 10, 64)
		if !ok || err != nil || r.Method != http.MethodGet {
			h(w, r)
			return
		}
		access, growth := rev.access, rev.growth
		if rev.personID != pid {
			if _, growth, err = s.revisions.Revisions(ctx, pid); err != nil {
				s.logger.WarnContext(ctx, "reading a growth revision; not caching", "person", pid, "err", err)
				h(w, r)
				return
			}
		}
		actor := trellis.ActorFromContext(ctx)
		var viewer int64
		if actor.Person != nil {
			viewer = actor.Person.ID
		}
		key := strings.Join([]string{r.URL.Path, r.URL.RawQuery, strconv.FormatInt(viewer, 10), strconv.FormatBool(actor.ReadOnly),
			strconv.FormatInt(access, 10), strconv.FormatInt(growth, 10), s.now().UTC().Format(trellis.DateLayout)}, "\x00")
		if kept, ok := s.responses.get(key); ok {
			s.metrics.cache("response", true)
			for k, v := range kept.header {
				w.Header()[k] = v
			}
			if tag := kept.header.Get("ETag"); tag != "" && strings.Contains(r.Header.Get("If-None-Match"), tag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			// With its length known the response goes out in one piece
			// rather than in chunks, a system call or two fewer.
			w.Header().Set("Content-Length", strconv.Itoa(len(kept.body)))
			w.WriteHeader(http.StatusOK)
			w.Write(kept.body)
			return
		}
		s.metrics.cache("response", false)
		rec := &keepingWriter{ResponseWriter: w, before: w.Header().Clone()}
		h(rec, r.WithContext(ctx))
		if rec.status == http.StatusOK && !rec.tooBig && rec.header != nil && rec.header.Get("Set-Cookie") == "" {
			s.responses.put(key, cachedResponse{header: rec.header, body: rec.body.Bytes()}, rec.body.Len()+512)
		}
	}
}

// keepingWriter passes a response through and keeps a copy of it: the
// status, the headers the handler added or changed, and the body up to
// responseMaxBytes.
type keepingWriter struct {
	http.ResponseWriter
	before http.Header
	header http.Header
	status int
	body   bytes.Buffer
	tooBig bool
}

func (k *keepingWriter) WriteHeader(status int) {
	if k.status == 0 {
		k.status = status
		k.header = http.Header{}
		for name, v := range k.ResponseWriter.Header() {
			if !slices.Equal(k.before[name], v) {
				k.header[name] = slices.Clone(v)
			}
		}
	}
	k.ResponseWriter.WriteHeader(status)
}

func (k *keepingWriter) Write(b []byte) (int, error) {
	if k.status == 0 {
		k.WriteHeader(http.StatusOK)
	}
	if !k.tooBig {
		if k.body.Len()+len(b) > responseMaxBytes {
			k.tooBig = true
			k.body = bytes.Buffer{}
		} else {
			k.body.Write(b)
		}
	}
	return k.ResponseWriter.Write(b)
}
