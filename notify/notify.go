// Package notify sends notifications beyond the in-app inbox: e-mail over
// SMTP and Slack-compatible incoming webhooks. A Deliverer, run by the
// scheduler, claims due deliveries from the store's outbox, sends each and
// records how it went (sqlstore/delivery.go explains the guarantees).
package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"syscall"
	"time"

	"trellis"
)

// Message is one e-mail.
type Message struct {
	To        string
	Subject   string
	Body      string
	MessageID string // fixed per delivery, so a resent duplicate can be recognised
}

// Mailer sends e-mail.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends e-mail through an SMTP server with net/smtp.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string // with Password: PLAIN authentication (over TLS or to localhost)
	Password string
	StartTLS bool // require STARTTLS before authenticating and sending
	// Timeout bounds a whole send; 30 seconds by default.
	Timeout time.Duration
	// TLSConfig is used for STARTTLS; by default one checking the server's
	// name.
	TLSConfig *tls.Config
}

// SMTPError is a reply of the server that refused the message.
type SMTPError struct {
	Step string // "MAIL FROM", "RCPT TO"...
	Err  error
}

func (e *SMTPError) Error() string { return "smtp " + e.Step + ": " + e.Err.Error() }
func (e *SMTPError) Unwrap() error { return e.Err }

// Send delivers m, bounded by the context and Timeout.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if s.Addr == "" || s.From == "" {
		return permanent("e-mail is not configured on this server (TRELLIS_SMTP_ADDR and TRELLIS_SMTP_FROM)")
	}
	if strings.ContainsAny(m.To, "\r\n<>") || !strings.Contains(m.To, "@") {
		return permanent(fmt.Sprintf("%q is not an e-mail address", m.To))
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: connecting to %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return &SMTPError{"greeting", err}
	}
	defer c.Close()
	if err := c.Hello("trellis"); err != nil {
		return &SMTPError{"EHLO", err}
	}
	if s.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("smtp: %s does not offer STARTTLS, which TRELLIS_SMTP_STARTTLS requires", s.Addr)
		}
		cfg := s.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return &SMTPError{"STARTTLS", err}
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return &SMTPError{"AUTH", err}
		}
	}
	if err := c.Mail(s.From); err != nil {
		return &SMTPError{"MAIL FROM", err}
	}
	if err := c.Rcpt(m.To); err != nil {
		return &SMTPError{"RCPT TO", err}
	}
	w, err := c.Data()
	if err != nil {
		return &SMTPError{"DATA", err}
	}
	if _, err := w.Write(s.compose(m)); err != nil {
		return &SMTPError{"DATA", err}
	}
	if err := w.Close(); err != nil {
		return &SMTPError{"DATA", err}
	}
	// The message is accepted; a failed QUIT does not make it unsent.
	c.Quit()
	return nil
}

// oneLine keeps header text on one line: no header injection from titles.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (s *SMTP) compose(m Message) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", oneLine(s.From))
	h("To", oneLine(m.To))
	h("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	h("Date", time.Now().UTC().Format(time.RFC1123Z))
	if m.MessageID != "" {
		h("Message-ID", "<"+oneLine(m.MessageID)+">")
	}
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// Poster posts chat messages to incoming webhooks.
type Poster interface {
	Post(ctx context.Context, url, text string) error
}

// Webhook posts {"text": ...} to Slack-compatible incoming webhooks.
type Webhook struct {
	// Timeout bounds one post; 10 seconds by default.
	Timeout time.Duration
	// AllowPrivate lets webhooks reach loopback, private and link-local
	// addresses. Off by default: anyone may set a webhook URL, and the
	// server must not be a way into the internal network.
	AllowPrivate bool
	client       *http.Client
}

func (h *Webhook) httpClient() *http.Client {
	if h.client != nil {
		return h.client
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !h.AllowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
				return permanent(fmt.Sprintf("webhook address %s is on a private network, which this server does not post to", host))
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: 10 * time.Second}
	h.client = &http.Client{
		Transport: tr,
		// A redirect could lead where the URL check did not look.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return h.client
}

// HTTPError is a webhook's answer other than 2xx.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("webhook answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
}

// Post sends text to the webhook at u.
func (h *Webhook) Post(ctx context.Context, u, text string) error {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return permanent("the webhook URL is not an http(s) URL")
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return permanent("the webhook URL is not valid: " + err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Trellis")
	resp, err := h.httpClient().Do(req)
	if err != nil {
		var p *permanentError
		if errors.As(err, &p) {
			return p
		}
		return fmt.Errorf("webhook: %w", redact(err, u))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &HTTPError{Status: resp.StatusCode, Body: oneLine(string(snippet))}
	}
	return nil
}

// redact removes the webhook URL (whose path is its secret) from err.
func redact(err error, u string) error {
	msg := err.Error()
	if pu, perr := url.Parse(u); perr == nil {
		msg = strings.ReplaceAll(msg, `"`+u+`"`, pu.Scheme+"://"+pu.Host+"/…")
		msg = strings.ReplaceAll(msg, u, pu.Scheme+"://"+pu.Host+"/…")
	}
	return errors.New(msg)
}

// permanentError is a failure no retry can mend.
type permanentError struct{ msg string }

func permanent(msg string) error          { return &permanentError{msg} }
func (e *permanentError) Error() string   { return e.msg }
func (e *permanentError) Permanent() bool { return true }

// Deliverer sends the outbox's due deliveries.
type Deliverer struct {
	Outbox trellis.Outbox
	Mail   Mailer // nil: e-mails fail, saying e-mail is not configured
	Hook   Poster // nil: webhooks fail likewise
	// BaseURL makes the links of messages absolute, e.g.
	// https://trellis.example.com.
	BaseURL string
	// Holder names this node in claims and attempts.
	Holder string
	// Batch is how many deliveries one claim takes; 20 by default.
	Batch int
	// Hold is how long a claim lasts; 5 minutes by default, far longer
	// than a send may take.
	Hold time.Duration
}

// Run sends every due delivery, batch after batch, until none is due. An
// error is a failure to reach the store; failed sends are recorded on their
// deliveries.
func (d *Deliverer) Run(ctx context.Context) error {
	batch, hold := d.Batch, d.Hold
	if batch <= 0 {
		batch = 20
	}
	if hold <= 0 {
		hold = 5 * time.Minute
	}
	for ctx.Err() == nil {
		list, err := d.Outbox.ClaimDeliveries(ctx, d.Holder, batch, hold)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return nil
		}
		for _, dl := range list {
			sendErr := d.send(ctx, dl)
			if ctx.Err() != nil && sendErr != nil {
				// Stopping: the claim expires and another run retries.
				return ctx.Err()
			}
			if err := d.Outbox.FinishDelivery(context.WithoutCancel(ctx), dl, d.Holder, sendErr); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

func (d *Deliverer) link(path string) string {
	if path == "" {
		return ""
	}
	return strings.TrimRight(d.BaseURL, "/") + path
}

func (d *Deliverer) send(ctx context.Context, dl *trellis.Delivery) error {
	switch dl.Channel {
	case trellis.ChannelEmail:
		if d.Mail == nil {
			return permanent("e-mail is not configured on this server (TRELLIS_SMTP_ADDR and TRELLIS_SMTP_FROM)")
		}
		body := dl.Body
		if l := d.link(dl.URL); l != "" {
			if body != "" {
				body += "\n\n"
			}
			body += l
		}
		body += "\n\n-- \nTrellis. Choose what reaches you at " + d.link("/settings/notifications") + "\n"
		return d.Mail.Send(ctx, Message{To: dl.Target, Subject: dl.Subject, Body: body,
			MessageID: fmt.Sprintf("delivery-%d.%d@trellis", dl.ID, dl.CreatedAt.UnixMicro())})
	case trellis.ChannelWebhook:
		if d.Hook == nil {
			return permanent("chat webhooks are not enabled on this server")
		}
		text := dl.Subject
		if dl.Body != "" {
			text += "\n" + dl.Body
		}
		if l := d.link(dl.URL); l != "" {
			text += "\n" + l
		}
		return d.Hook.Post(ctx, dl.Target, text)
	}
	return permanent(fmt.Sprintf("unknown channel %q", dl.Channel))
}
