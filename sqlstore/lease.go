package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

// MaxClockSkew is how far apart the clocks of the nodes sharing a database
// may be. Lease times are computed from each node's own clock (DB.Clock),
// not the database's, so that SQLite and PostgreSQL behave alike and tests
// can set the time. Nodes' clocks are assumed to be within a few seconds of
// each other (NTP keeps them far closer); a lease is taken over only once it
// has been expired for MaxClockSkew by the taker's clock, so a holder whose
// clock is behind never loses a lease it still believes it holds, provided
// it renews well before the TTL ends. TTLs must therefore be much longer
// than MaxClockSkew.
const MaxClockSkew = 5 * time.Second

// Lease is a named, time-limited claim in the database that at most one
// holder has at a time: the node holding "job:NAME" runs that job. A holder
// keeps a lease by renewing it before its TTL runs out; a holder that dies
// stops renewing, and another takes the lease over once it has expired.
type Lease struct {
	db *DB
	// Skew is the clock skew allowed between nodes; MaxClockSkew by default.
	Skew time.Duration
}

// NewLease returns the leases of db.
func NewLease(db *DB) *Lease {
	return &Lease{db: db, Skew: MaxClockSkew}
}

// NewHolderID returns an id naming this process among every node sharing a
// database: host name, process id and a random part, so that a restarted
// process (which may get the same pid) is a new holder.
func NewHolderID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// TryAcquire takes the lease name for holder for ttl, and says whether
// holder has it now. It succeeds when nobody holds the lease, when holder
// already does (which renews it), or when the lease expired more than Skew
// ago; one INSERT ... ON CONFLICT DO UPDATE ... WHERE decides, so two nodes
// trying at the same moment cannot both win.
func (l *Lease) TryAcquire(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if err := checkLease(name, holder, ttl); err != nil {
		return false, err
	}
	var ok bool
	err := l.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET
				holder = excluded.holder,
				acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
				expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at < $5`,
			name, holder, formatTime(tx.now), formatTime(tx.now.Add(ttl)), formatTime(tx.now.Add(-l.skew())))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// Renew extends the lease name that holder has to ttl from now. It reports
// false, changing nothing, when holder does not have the lease any more:
// another node took it over after it expired.
func (l *Lease) Renew(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if err := checkLease(name, holder, ttl); err != nil {
		return false, err
	}
	var ok bool
	err := l.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = $3 WHERE name = $1 AND holder = $2`,
			name, holder, formatTime(tx.now.Add(ttl)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// Release gives up the lease name if holder has it, so that another node
// can take it at once rather than after the TTL. Releasing a lease one does
// not hold is no error.
func (l *Lease) Release(ctx context.Context, name, holder string) error {
	return l.db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
		return err
	})
}

// LeaseInfo is the stored state of a lease.
type LeaseInfo struct {
	Name       string
	Holder     string
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// Get returns the lease name as stored, expired or not; found is false when
// nobody has held it or it was released.
func (l *Lease) Get(ctx context.Context, name string) (info LeaseInfo, found bool, err error) {
	err = l.db.view(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT name, holder, acquired_at, expires_at FROM leases WHERE name = $1`, name).
			Scan(&info.Name, &info.Holder, scanTime(&info.AcquiredAt), scanTime(&info.ExpiresAt))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	return info, found, err
}

func (l *Lease) skew() time.Duration {
	if l.Skew < 0 {
		return 0
	}
	return l.Skew
}

func checkLease(name, holder string, ttl time.Duration) error {
	switch {
	case name == "":
		return errors.New("sqlstore: a lease needs a name")
	case holder == "":
		return errors.New("sqlstore: a lease needs a holder")
	case ttl <= 0:
		return fmt.Errorf("sqlstore: lease %s: ttl %v is not positive", name, ttl)
	}
	return nil
}
