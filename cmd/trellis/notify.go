package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	trellis "trellis"
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
	} else {
		sqlstore.SetEmailEnabled(db, false)
		m.Logger.Info("e-mail notifications are off: set TRELLIS_SMTP_ADDR and TRELLIS_SMTP_FROM to send them")
	}
	if d.Mail != nil && strings.TrimSpace(os.Getenv("TRELLIS_SMTP_FROM")) == "" {
		m.Logger.Warn("TRELLIS_SMTP_FROM is empty: e-mails will fail until it names the sender address")
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

// cmdNotify checks the delivery settings by sending a test message.
func cmdNotify(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "notify", args, map[string]func(context.Context, *env, []string) error{
		"test": cmdNotifyTest,
	})
}

func cmdNotifyTest(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "notify test", "notify test [--email ADDRESS] [--webhook URL]   (SMTP from TRELLIS_SMTP_*)")
	email := fs.String("email", "", "send a test e-mail to this address through TRELLIS_SMTP_ADDR")
	webhook := fs.String("webhook", "", "post a test message to this incoming webhook URL")
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	if *email == "" && *webhook == "" {
		return usagef("notify test needs --email ADDRESS or --webhook URL")
	}
	const subject = "Trellis test message"
	body := "This is a test message from Trellis: notifications can reach you here."
	if *email != "" {
		s := smtpFromEnv(e.getenv)
		if s == nil {
			return trellis.Errorf(trellis.EINVALID, "e-mail is not configured: set TRELLIS_SMTP_ADDR (host:port) and TRELLIS_SMTP_FROM")
		}
		if err := s.Send(ctx, notify.Message{To: *email, Subject: subject, Body: body}); err != nil {
			return trellis.Errorf(trellis.EUNAVAILABLE, "the test e-mail to %s was not sent: %v", *email, err)
		}
		fmt.Fprintf(e.stdout, "Sent a test e-mail to %s through %s.\n", *email, s.Addr)
	}
	if *webhook != "" {
		p := trellis.NotificationPrefs{Email: true, WebhookURL: *webhook}
		if err := p.Check(); err != nil {
			return err
		}
		h := &notify.Webhook{AllowPrivate: truthy(e.getenv("TRELLIS_WEBHOOK_ALLOW_PRIVATE"))}
		if err := h.Post(ctx, p.WebhookURL, subject+"\n"+body); err != nil {
			return trellis.Errorf(trellis.EUNAVAILABLE, "the test message was not posted: %v", err)
		}
		fmt.Fprintln(e.stdout, "Posted a test message to the webhook.")
	}
	return nil
}
