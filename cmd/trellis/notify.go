package main

import (
	"context"
	"os"
	"strings"
	"time"

	"trellis/notify"
	"trellis/sqlstore"
)

// Delivery of notifications by e-mail and chat webhooks, configured by
// environment (a password has no flag: flags show in ps):
//
//	TRELLIS_SMTP_ADDR      host:port of the SMTP server; empty turns e-mail off
//	TRELLIS_SMTP_FROM      the sender address
//	TRELLIS_SMTP_USER      with TRELLIS_SMTP_PASSWORD: PLAIN authentication
//	TRELLIS_SMTP_PASSWORD
//	TRELLIS_SMTP_STARTTLS  true to require STARTTLS
//	TRELLIS_WEBHOOK_ALLOW_PRIVATE  true to let webhooks reach private addresses

// smtpFromEnv returns the SMTP settings, nil when e-mail is off.
func smtpFromEnv(getenv func(string) string) *notify.SMTP {
	addr := strings.TrimSpace(getenv("TRELLIS_SMTP_ADDR"))
	if addr == "" {
		return nil
	}
	return &notify.SMTP{
		Addr:     addr,
		From:     strings.TrimSpace(getenv("TRELLIS_SMTP_FROM")),
		Username: strings.TrimSpace(getenv("TRELLIS_SMTP_USER")),
		Password: getenv("TRELLIS_SMTP_PASSWORD"),
		StartTLS: truthy(getenv("TRELLIS_SMTP_STARTTLS")),
	}
}

// scheduleDelivery registers the jobs that send the outbox every 30
// seconds, collect the daily digests at midnight UTC and send reminders.
func (m *Main) scheduleDelivery(db *sqlstore.DB) {
	out := sqlstore.NewDeliveryService(db)
	d := &notify.Deliverer{
		Outbox:  out,
		Hook:    &notify.Webhook{AllowPrivate: truthy(os.Getenv("TRELLIS_WEBHOOK_ALLOW_PRIVATE"))},
		BaseURL: m.Config.baseURL(),
		Holder:  m.sched.Holder,
	}
	if s := smtpFromEnv(os.Getenv); s != nil {
		d.Mail = s
	}
	m.every(30*time.Second, "deliver notifications", d.Run)
	m.every(24*time.Hour, "collect daily digests", func(ctx context.Context) error {
		_, err := out.CollectDigests(ctx)
		return err
	})
	// Each reminder is sent once per its own period (quarter, half-year,
	// week, cycle) whatever the job's period: hourly catches a deadline
	// soon after it comes within reach.
	m.every(time.Hour, "send reminders", sqlstore.NewReminders(db).RunAll)
}
