package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trellis/notify"
	"trellis/notify/notifytest"
)

func TestSMTPHeadersCannotBeInjected(t *testing.T) {
	srv := notifytest.NewSMTPServer(t)
	s := &notify.SMTP{Addr: srv.Addr, From: "trellis@example.com", Timeout: 5 * time.Second}
	err := s.Send(context.Background(), notify.Message{To: "eve@example.com",
		Subject: "Hello\r\nBcc: victim@example.com\r\n\r\nforged", Body: "Line one\n.\nÜmlaut line " + strings.Repeat("x", 120)})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Mails()
	if len(m) != 1 {
		t.Fatalf("%d mails", len(m))
	}
	if m[0].Header.Get("Bcc") != "" || len(m[0].To) != 1 {
		t.Errorf("header injected: %v to %v", m[0].Header, m[0].To)
	}
	if m[0].Subject != "Hello Bcc: victim@example.com forged" {
		t.Errorf("subject %q", m[0].Subject)
	}
	if !strings.Contains(m[0].Body, "Line one\n.\nÜmlaut line "+strings.Repeat("x", 120)) {
		t.Errorf("body %q", m[0].Body)
	}
	if err := s.Send(context.Background(), notify.Message{To: "a@example.com>\r\nRCPT TO:<b@example.com"}); err == nil {
		t.Error("a recipient with CRLF was accepted")
	}
}

func TestSMTPRefusalIsAnError(t *testing.T) {
	srv := notifytest.NewSMTPServer(t)
	srv.Refuse("421 4.3.2 try later")
	s := &notify.SMTP{Addr: srv.Addr, From: "trellis@example.com"}
	err := s.Send(context.Background(), notify.Message{To: "eve@example.com", Subject: "x"})
	if err == nil || !strings.Contains(err.Error(), "421") || !strings.Contains(err.Error(), "MAIL FROM") {
		t.Errorf("err %v", err)
	}
	// Nobody listening: a clear error, no hang.
	s.Addr = "127.0.0.1:1"
	if err := s.Send(context.Background(), notify.Message{To: "eve@example.com", Subject: "x"}); err == nil || !strings.Contains(err.Error(), "connecting") {
		t.Errorf("err %v", err)
	}
}

func TestWebhookRefusesPrivateAddressesByDefault(t *testing.T) {
	rcv := notifytest.NewReceiver(t)
	h := &notify.Webhook{}
	err := h.Post(context.Background(), rcv.URL+"/secret-path", "hi")
	if err == nil || !strings.Contains(err.Error(), "private network") {
		t.Fatalf("err %v", err)
	}
	if len(rcv.Texts()) != 0 {
		t.Error("posted to a loopback address")
	}
	rcv.FailNext(1)
	h = &notify.Webhook{AllowPrivate: true}
	err = h.Post(context.Background(), rcv.URL+"/secret-path", "hi")
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("err %v", err)
	}
	if err := h.Post(context.Background(), rcv.URL+"/secret-path", "hi"); err != nil {
		t.Fatal(err)
	}
	if got := rcv.Texts(); len(got) != 1 || got[0] != "hi" {
		t.Errorf("texts %q", got)
	}
	if err := h.Post(context.Background(), "ftp://example.com/x", "hi"); err == nil {
		t.Error("an ftp URL was posted to")
	}
}
