package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"trellis"
)

// translate turns a driver error into a domain error. It is the one place
// that knows driver error codes; every service method returns through it.
// Domain errors and context errors pass through unchanged; anything it does
// not recognise stays an internal error, wrapped so that logs keep the cause.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *trellis.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return trellis.Errorf(trellis.ENOTFOUND, "not found")
	}

	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return trellis.Errorf(trellis.ECONFLICT, "the change conflicts with a record that already exists")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return trellis.Errorf(trellis.ERULE, "the change refers to a record that does not exist, or removes one that is still in use")
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK:
			return trellis.Errorf(trellis.EINVALID, "the change leaves a required value missing or out of range")
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return trellis.Errorf(trellis.EUNAVAILABLE, "the database is busy; please try again")
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
			return trellis.Errorf(trellis.EUNAVAILABLE, "the database cannot be written: %s", se.Error())
		}
		return fmt.Errorf("sqlstore: %w", err)
	}

	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return trellis.Errorf(trellis.ECONFLICT, "the change conflicts with a record that already exists")
		case "23503": // foreign_key_violation
			return trellis.Errorf(trellis.ERULE, "the change refers to a record that does not exist, or removes one that is still in use")
		case "23502", "23514": // not_null_violation, check_violation
			return trellis.Errorf(trellis.EINVALID, "the change leaves a required value missing or out of range")
		case "40001", "40P01", "55P03": // serialization_failure, deadlock_detected, lock_not_available
			return trellis.Errorf(trellis.EUNAVAILABLE, "the database is busy; please try again")
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return trellis.Errorf(trellis.EUNAVAILABLE, "the database is unavailable: %s", pe.Message)
		}
		switch {
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"): // connection exception, insufficient resources
			return trellis.Errorf(trellis.EUNAVAILABLE, "the database is unavailable: %s", pe.Message)
		}
		return fmt.Errorf("sqlstore: %w", err)
	}

	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return trellis.Errorf(trellis.EUNAVAILABLE, "the database is unavailable: %s", maskSecrets(err.Error()))
	}
	return fmt.Errorf("sqlstore: %w", err)
}

// retryable reports whether err (untranslated) means the transaction lost a
// race the database resolved by aborting it, so running it again may succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}
