package main

import (
	"flag"
	"fmt"
	"net"
	"strings"

	trellis "trellis"
)

// Config is the one configuration of the trellis binary. Each field can be set
// by a TRELLIS_* environment variable and overridden by a flag.
type Config struct {
	Addr      string // listen address, host:port
	DB        string // SQLite path, sqlite:PATH, or postgres:// URL
	LogFormat string // text or json
	LogLevel  string // debug, info, warn or error
}

// DefaultConfig returns the built-in defaults.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DB: "trellis.db", LogFormat: "text", LogLevel: "info"}
}

// configFromEnv applies TRELLIS_* variables over the defaults.
func configFromEnv(getenv func(string) string) Config {
	c := DefaultConfig()
	for name, field := range map[string]*string{
		"TRELLIS_ADDR":       &c.Addr,
		"TRELLIS_DB":         &c.DB,
		"TRELLIS_LOG_FORMAT": &c.LogFormat,
		"TRELLIS_LOG_LEVEL":  &c.LogLevel,
	} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*field = v
		}
	}
	return c
}

// bindDB registers --db on a verb's flag set.
func (c *Config) bindDB(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database: SQLite path, sqlite:PATH or postgres:// URL (env TRELLIS_DB)")
}

// bindServer registers the flags of verbs that serve HTTP.
func (c *Config) bindServer(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address host:port (env TRELLIS_ADDR)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env TRELLIS_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error (env TRELLIS_LOG_LEVEL)")
}

// Validate reports every wrong setting at once.
func (c Config) Validate() error {
	var details []trellis.FieldError
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		details = append(details, trellis.FieldError{Field: "addr", Message: fmt.Sprintf("%q is not a listen address; use host:port such as :8080 or 127.0.0.1:8080", c.Addr)})
	}
	if strings.TrimSpace(c.DB) == "" {
		details = append(details, trellis.FieldError{Field: "db", Message: "the database is empty; give a SQLite path such as trellis.db or a postgres:// URL"})
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		details = append(details, trellis.FieldError{Field: "log-format", Message: fmt.Sprintf("%q is not a log format; use text or json", c.LogFormat)})
	}
	if _, ok := logLevels[c.LogLevel]; !ok {
		details = append(details, trellis.FieldError{Field: "log-level", Message: fmt.Sprintf("%q is not a log level; use debug, info, warn or error", c.LogLevel)})
	}
	if len(details) == 0 {
		return nil
	}
	msgs := make([]string, len(details))
	for i, d := range details {
		msgs[i] = "--" + d.Field + ": " + d.Message
	}
	return &trellis.Error{Code: trellis.EINVALID, Message: strings.Join(msgs, "\n"), Details: details}
}
