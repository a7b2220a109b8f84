package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"trellis"
)

// FrameworkService stores framework versions. It implements
// trellis.FrameworkService.
//
// Decoded frameworks are cached in memory by id, version and content hash:
// a stored version never changes, so the cache is right on every node that
// shares the database. Which version is active is read from the database
// every time.
type FrameworkService struct {
	db *DB

	mu    sync.RWMutex
	cache map[string]*trellis.Framework
}

var _ trellis.FrameworkService = (*FrameworkService)(nil)

// NewFrameworkService returns a FrameworkService over db.
func NewFrameworkService(db *DB) *FrameworkService {
	return &FrameworkService{db: db, cache: map[string]*trellis.Framework{}}
}

// ImportFramework stores fw as a new immutable version. The same id and
// version with the same content is a no-op (Created false) that still honours
// activate; with other content it is ECONFLICT and changes nothing. The first
// version of an id becomes active; activate makes this version active.
func (s *FrameworkService) ImportFramework(ctx context.Context, fw *trellis.Framework, activate bool) (trellis.ImportResult, error) {
	if fw == nil {
		return trellis.ImportResult{}, trellis.Errorf(trellis.EINVALID, "no framework to import")
	}
	if problems := fw.Validate(); len(problems) > 0 {
		return trellis.ImportResult{}, invalidFramework(fw, problems)
	}
	content, err := json.Marshal(fw)
	if err != nil {
		return trellis.ImportResult{}, fmt.Errorf("sqlstore: encoding framework %s@%s: %w", fw.ID, fw.Version, err)
	}
	hash := fw.Hash()

	var res trellis.ImportResult
	err = s.db.update(ctx, func(tx *Tx) error {
		res = trellis.ImportResult{}
		// Create the framework on its first version, then lock its row: imports
		// and activations of one framework run one after the other.
		r, err := tx.ExecContext(ctx, `
			INSERT INTO frameworks (id, active_version, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO NOTHING`, fw.ID, fw.Version, formatTime(tx.now))
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			res.Activated = true
		}
		active, err := lockFramework(ctx, tx, fw.ID)
		if err != nil {
			return err
		}

		v, err := findVersion(ctx, tx, fw.ID, fw.Version)
		switch {
		case err == nil:
			if v.Hash != hash {
				return trellis.Errorf(trellis.ECONFLICT,
					"framework %q version %q is already stored with different content; versions are immutable, so import the changed framework under a new version",
					fw.ID, fw.Version)
			}
		case errors.Is(err, sql.ErrNoRows):
			v = trellis.FrameworkVersion{
				ID: fw.ID, Version: fw.Version, Name: fw.Name, Hash: hash, ImportedAt: tx.now,
				Roles: len(fw.Roles), Competencies: len(fw.Competencies),
			}
			if err := insertVersion(ctx, tx, v, content); err != nil {
				return err
			}
			res.Created = true
		default:
			return err
		}

		if activate && active != fw.Version {
			if err := setActive(ctx, tx, fw.ID, fw.Version); err != nil {
				return err
			}
			if err := recordActivation(ctx, tx, fw.ID, active, fw.Version); err != nil {
				return err
			}
			active = fw.Version
			res.Activated = true
		}
		v.Active = active == fw.Version
		res.Version = v
		if res.Created {
			return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditFrameworkImported, trellis.AuditTargetFramework,
				trellis.Ref{ID: v.ID, Version: v.Version}.String(), nil, map[string]any{
					"name": v.Name, "hash": v.Hash, "active": v.Active, "roles": v.Roles, "competencies": v.Competencies,
				}))
		}
		return nil
	})
	if err != nil {
		return trellis.ImportResult{}, err
	}
	return res, nil
}

// invalidFramework is the EINVALID error for a framework that fails
// validation, with every problem as a field error.
func invalidFramework(fw *trellis.Framework, problems []trellis.Problem) error {
	e := trellis.Errorf(trellis.EINVALID, "framework %s is invalid: %s", trellis.Ref{ID: fw.ID, Version: fw.Version}, problems[0].Message)
	if len(problems) > 1 {
		e.Message += fmt.Sprintf(" (and %d more problems)", len(problems)-1)
	}
	for _, p := range problems {
		e.Details = append(e.Details, trellis.FieldError{Field: p.Path, Message: p.Message})
	}
	return e
}

// ActivateFramework makes a stored version the active one of its framework.
func (s *FrameworkService) ActivateFramework(ctx context.Context, id, version string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		active, err := lockFramework(ctx, tx, id)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownFramework(ctx, tx, id)
		} else if err != nil {
			return err
		}
		if _, err := findVersion(ctx, tx, id, version); errors.Is(err, sql.ErrNoRows) {
			return unknownVersion(ctx, tx, id, version)
		} else if err != nil {
			return err
		}
		if active == version {
			return nil
		}
		if err := setActive(ctx, tx, id, version); err != nil {
			return err
		}
		return recordActivation(ctx, tx, id, active, version)
	})
}

// recordActivation writes the framework.activated event of a change of
// active version.
func recordActivation(ctx context.Context, tx *Tx, id, from, to string) error {
	return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditFrameworkActivated, trellis.AuditTargetFramework,
		trellis.Ref{ID: id, Version: to}.String(), map[string]any{"version": from}, map[string]any{"version": to}))
}

// FindFramework returns a stored version, the active one when ref.Version
// is empty. The framework returned is shared with other callers and must be
// treated as read-only.
func (s *FrameworkService) FindFramework(ctx context.Context, ref trellis.Ref) (*trellis.Framework, trellis.FrameworkVersion, error) {
	var (
		fw *trellis.Framework
		v  trellis.FrameworkVersion
	)
	err := s.db.view(ctx, func(tx *Tx) error {
		var active string
		err := tx.QueryRowContext(ctx, `SELECT active_version FROM frameworks WHERE id = $1`, ref.ID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownFramework(ctx, tx, ref.ID)
		} else if err != nil {
			return err
		}
		version := ref.Version
		if version == "" {
			version = active
		}
		v, err = findVersion(ctx, tx, ref.ID, version)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownVersion(ctx, tx, ref.ID, version)
		} else if err != nil {
			return err
		}
		v.Active = version == active

		key := v.ID + "@" + v.Version + "#" + v.Hash
		s.mu.RLock()
		fw = s.cache[key]
		s.mu.RUnlock()
		if fw != nil {
			return nil
		}
		var content string
		if err := tx.QueryRowContext(ctx, `
			SELECT content FROM framework_versions WHERE framework_id = $1 AND version = $2`,
			v.ID, v.Version).Scan(&content); err != nil {
			return err
		}
		fw = new(trellis.Framework)
		if err := json.Unmarshal([]byte(content), fw); err != nil {
			return fmt.Errorf("sqlstore: decoding framework %s@%s: %w", v.ID, v.Version, err)
		}
		s.mu.Lock()
		s.cache[key] = fw
		s.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, trellis.FrameworkVersion{}, err
	}
	return fw, v, nil
}

// ListFrameworks returns every stored version, grouped by framework id in
// id order, each framework's versions in import order.
func (s *FrameworkService) ListFrameworks(ctx context.Context) ([]trellis.FrameworkVersion, error) {
	list := []trellis.FrameworkVersion{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `
			SELECT v.framework_id, v.version, v.name, v.hash, v.roles_count, v.competencies_count,
			       v.imported_at, f.active_version
			FROM framework_versions v JOIN frameworks f ON f.id = v.framework_id
			ORDER BY v.framework_id, v.seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v trellis.FrameworkVersion
			var active string
			if err := rows.Scan(&v.ID, &v.Version, &v.Name, &v.Hash, &v.Roles, &v.Competencies,
				scanTime(&v.ImportedAt), &active); err != nil {
				return err
			}
			v.Active = v.Version == active
			list = append(list, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// lockFramework returns the active version of framework id, locking its row
// until the transaction ends. sql.ErrNoRows: no such framework.
func lockFramework(ctx context.Context, tx *Tx, id string) (active string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT active_version FROM frameworks WHERE id = $1`+tx.forUpdate(), id).Scan(&active)
	return active, err
}

// findVersion reads a version's description; Active is left false.
// sql.ErrNoRows: no such version.
func findVersion(ctx context.Context, tx *Tx, id, version string) (trellis.FrameworkVersion, error) {
	v := trellis.FrameworkVersion{ID: id, Version: version}
	err := tx.QueryRowContext(ctx, `
		SELECT name, hash, roles_count, competencies_count, imported_at
		FROM framework_versions WHERE framework_id = $1 AND version = $2`, id, version).
		Scan(&v.Name, &v.Hash, &v.Roles, &v.Competencies, scanTime(&v.ImportedAt))
	return v, err
}

// insertVersion stores a new version after the framework's last one. The
// caller holds the framework's row lock, so the sequence number is free.
func insertVersion(ctx context.Context, tx *Tx, v trellis.FrameworkVersion, content []byte) error {
	var seq int
	if err := tx.QueryRowContext(ctx, `
		SELECT COALESCE(MAX(seq), 0) + 1 FROM framework_versions WHERE framework_id = $1`, v.ID).Scan(&seq); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO framework_versions
			(framework_id, version, seq, name, hash, content, roles_count, competencies_count, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		v.ID, v.Version, seq, v.Name, v.Hash, string(content), v.Roles, v.Competencies, formatTime(v.ImportedAt))
	return err
}

func setActive(ctx context.Context, tx *Tx, id, version string) error {
	_, err := tx.ExecContext(ctx, `UPDATE frameworks SET active_version = $2 WHERE id = $1`, id, version)
	return err
}

// unknownFramework is the ENOTFOUND error for framework id, naming the
// frameworks that are stored.
func unknownFramework(ctx context.Context, tx *Tx, id string) error {
	known, err := queryStrings(ctx, tx, `SELECT id FROM frameworks ORDER BY id`)
	if err != nil {
		return err
	}
	if len(known) == 0 {
		return trellis.Errorf(trellis.ENOTFOUND, "framework %q is not stored; no frameworks are stored yet", id)
	}
	msg := fmt.Sprintf("framework %q is not stored; known frameworks: %s", id, strings.Join(known, ", "))
	if s := trellis.Suggest(id, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return &trellis.Error{Code: trellis.ENOTFOUND, Message: msg}
}

// unknownVersion is the ENOTFOUND error for a version of a stored framework,
// naming its stored versions in import order.
func unknownVersion(ctx context.Context, tx *Tx, id, version string) error {
	known, err := queryStrings(ctx, tx, `SELECT version FROM framework_versions WHERE framework_id = $1 ORDER BY seq`, id)
	if err != nil {
		return err
	}
	return trellis.Errorf(trellis.ENOTFOUND, "version %q of framework %q is not stored; known versions: %s",
		version, id, strings.Join(known, ", "))
}

// strings_ returns the first column of a query's rows.
func queryStrings(ctx context.Context, tx *Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
