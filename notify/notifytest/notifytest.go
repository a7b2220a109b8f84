// Package notifytest gives tests real peers to deliver to: a minimal SMTP
// server and a webhook receiver, each on a real socket on 127.0.0.1, that
// record what arrived.
package notifytest

import (
	"bufio"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Mail is a message the SMTP server accepted.
type Mail struct {
	From    string
	To      []string
	Subject string // decoded
	Body    string // decoded, with \n line ends
	Header  mail.Header
	Raw     string
}

// SMTPServer speaks enough SMTP (EHLO/HELO, MAIL FROM, RCPT TO, DATA,
// RSET, NOOP, QUIT) to receive mail from net/smtp.
type SMTPServer struct {
	Addr string
	ln   net.Listener

	mu     sync.Mutex
	mails  []Mail
	refuse string // a reply to MAIL FROM instead of 250, e.g. "550 no"
	conns  int
}

// NewSMTPServer starts a server on 127.0.0.1:0, closed when the test ends.
func NewSMTPServer(t testing.TB) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), ln: ln}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return s
}

// Refuse makes the server answer MAIL FROM with reply ("550 5.7.1 refused",
// "421 4.3.2 try later"); "" accepts again.
func (s *SMTPServer) Refuse(reply string) {
	s.mu.Lock()
	s.refuse = reply
	s.mu.Unlock()
}

// Mails returns the messages received so far.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Connections returns how many sessions were opened.
func (s *SMTPServer) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *SMTPServer) serve(c net.Conn) {
	defer c.Close()
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	r := bufio.NewReader(c)
	reply := func(line string) { io.WriteString(c, line+"\r\n") }
	reply("220 localhost test SMTP")
	var from string
	var to []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(verb, "EHLO"):
			reply("250-localhost")
			reply("250 8BITMIME")
		case strings.HasPrefix(verb, "HELO"):
			reply("250 localhost")
		case strings.HasPrefix(verb, "MAIL FROM:"):
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse != "" {
				reply(refuse)
				continue
			}
			from, to = addr(line[len("MAIL FROM:"):]), nil
			reply("250 OK")
		case strings.HasPrefix(verb, "RCPT TO:"):
			to = append(to, addr(line[len("RCPT TO:"):]))
			reply("250 OK")
		case verb == "DATA":
			if from == "" || len(to) == 0 {
				reply("503 need MAIL and RCPT first")
				continue
			}
			reply("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.record(from, to, b.String())
			from, to = "", nil
			reply("250 OK queued")
		case verb == "RSET":
			from, to = "", nil
			reply("250 OK")
		case verb == "NOOP":
			reply("250 OK")
		case verb == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func addr(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return strings.Trim(s, "<>")
}

func (s *SMTPServer) record(from string, to []string, raw string) {
	m := Mail{From: from, To: to, Raw: raw}
	if msg, err := mail.ReadMessage(strings.NewReader(raw)); err == nil {
		m.Header = msg.Header
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
		var body io.Reader = msg.Body
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	s.mu.Lock()
	s.mails = append(s.mails, m)
	s.mu.Unlock()
}

// Receiver is an incoming-webhook endpoint that records the JSON posted.
type Receiver struct {
	*httptest.Server
	mu       sync.Mutex
	texts    []string
	failNext int // answer 500 to this many posts first
	bad      []string
}

// NewReceiver starts a receiver, closed when the test ends.
func NewReceiver(t testing.TB) *Receiver {
	h := &Receiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

// FailNext makes the next n posts answer 500.
func (h *Receiver) FailNext(n int) {
	h.mu.Lock()
	h.failNext = n
	h.mu.Unlock()
}

// Texts returns the "text" of every post answered 200.
func (h *Receiver) Texts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...)
}

// Bad returns what was wrong with posts that were not a Slack-style
// message.
func (h *Receiver) Bad() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bad...)
}

func (h *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var msg struct {
		Text *string `json:"text"`
	}
	switch {
	case r.Method != http.MethodPost:
		h.bad = append(h.bad, "method "+r.Method)
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		h.bad = append(h.bad, "content type "+r.Header.Get("Content-Type"))
	default:
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || msg.Text == nil {
			h.bad = append(h.bad, "body is not {\"text\": ...}")
		}
	}
	if h.failNext > 0 {
		h.failNext--
		http.Error(w, "receiver down", http.StatusInternalServerError)
		return
	}
	if msg.Text == nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	h.texts = append(h.texts, *msg.Text)
	io.WriteString(w, "ok")
}
