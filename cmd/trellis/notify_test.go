package main

import (
	"strings"
	"testing"

	"trellis/notify/notifytest"
)

func TestNotifyTestSendsToRealPeers(t *testing.T) {
	smtpd := notifytest.NewSMTPServer(t)
	hook := notifytest.NewReceiver(t)
	env := map[string]string{"TRELLIS_SMTP_ADDR": smtpd.Addr, "TRELLIS_SMTP_FROM": "trellis@example.com", "TRELLIS_WEBHOOK_ALLOW_PRIVATE": "true"}
	code, out, errs := trellisCmd(t, env, "notify", "test", "--email", "ops@example.com", "--webhook", hook.URL+"/hook")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if m := smtpd.Mails(); len(m) != 1 || m[0].To[0] != "ops@example.com" || m[0].Subject != "Trellis test message" {
		t.Errorf("mails %+v", m)
	}
	if txt := hook.Texts(); len(txt) != 1 || !strings.HasPrefix(txt[0], "Trellis test message") {
		t.Errorf("webhook %q", txt)
	}

	code, _, errs = trellisCmd(t, env, "notify", "test", "--webhook", "ftp://example.com/hook")
	if code == 0 || !strings.Contains(errs, "webhook_url") && !strings.Contains(errs, "http:// or https://") {
		t.Errorf("ftp webhook: exit %d, %s", code, errs)
	}
	smtpd.Refuse("550 5.1.1 no such user")
	code, _, errs = trellisCmd(t, env, "notify", "test", "--email", "nobody@example.com")
	if code == 0 || !strings.Contains(errs, "550") {
		t.Errorf("refused: exit %d, %s", code, errs)
	}
	code, _, errs = trellisCmd(t, map[string]string{}, "notify", "test", "--email", "ops@example.com")
	if code == 0 || !strings.Contains(errs, "TRELLIS_SMTP_ADDR") {
		t.Errorf("unconfigured: exit %d, %s", code, errs)
	}
}
