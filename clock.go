package trellis

import "time"

// Clock tells the time. Services take one so tests can set it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock always returns the same instant; tests move it by assignment.
type FixedClock struct{ T time.Time }

// Now returns the fixed instant.
func (c *FixedClock) Now() time.Time { return c.T }
