package web

import (
	"crypto/sha256"
	"sync"

	"trellis"
	"trellis/markdown"
)

// checkCache keeps the findings of documents by a digest of what the checks
// read (the sections' text, the template and the framework version), so a
// calibration page of many nominations does not check unchanged documents
// again. Entries are derived from their key alone, so every node may keep
// its own cache without ever disagreeing.
type checkCache struct {
	mu      sync.Mutex
	entries map[[32]byte][]markdown.Finding
}

// maxCheckCacheEntries bounds the cache; when full it starts afresh, which
// is simpler than an eviction order and costs one round of checks.
const maxCheckCacheEntries = 4096

func (c *checkCache) findings(d *trellis.Document, fw *trellis.Framework, tpl *trellis.Template) []markdown.Finding {
	h := sha256.New()
	for _, s := range []string{fw.ID, fw.Version, tpl.ID, d.TargetRole} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, sec := range d.Sections {
		h.Write([]byte(sec.ID))
		h.Write([]byte{0})
		h.Write([]byte(sec.Text))
		h.Write([]byte{0})
	}
	var key [32]byte
	h.Sum(key[:0])
	c.mu.Lock()
	if f, ok := c.entries[key]; ok {
		c.mu.Unlock()
		return f
	}
	c.mu.Unlock()
	f := markdown.CheckDocument(d, fw, tpl)
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCheckCacheEntries {
		c.entries = map[[32]byte][]markdown.Finding{}
	}
	c.entries[key] = f
	c.mu.Unlock()
	return f
}
