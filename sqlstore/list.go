package sqlstore

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// args collects the arguments of a query built piece by piece; add returns
// the placeholder of the argument it appends.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// placeholders appends every value and returns their placeholders joined by
// commas, for an IN list.
func (a *args) placeholders(vs ...any) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.add(v)
	}
	return strings.Join(ps, ", ")
}

// likeContains returns a LIKE pattern (with ESCAPE '\') matching any text
// that contains s.
func likeContains(s string) string {
	return "%" + likeEscape(s) + "%"
}

// likePrefix returns a LIKE pattern (with ESCAPE '\') matching any text
// that starts with s.
func likePrefix(s string) string {
	return likeEscape(s) + "%"
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func likeEscape(s string) string { return likeEscaper.Replace(s) }

// Cursors are opaque to callers: the sort key of the last item of a page,
// as JSON in URL-safe base64. encodeCursor takes the key's parts in order.
func encodeCursor(key ...any) string {
	b, err := json.Marshal(key)
	if err != nil {
		panic("sqlstore: encoding cursor: " + err.Error()) // keys are strings and numbers
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor into the pointers of
// key. A cursor that does not decode is EINVALID: the caller should start
// again from the first page.
func decodeCursor(cursor string, key ...any) error {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	var parts []json.RawMessage
	if err == nil {
		err = json.Unmarshal(b, &parts)
	}
	if err == nil && len(parts) != len(key) {
		err = strconv.ErrSyntax
	}
	for i := 0; err == nil && i < len(parts); i++ {
		err = json.Unmarshal(parts[i], key[i])
	}
	if err != nil {
		return trellis.Errorf(trellis.EINVALID, "The page cursor %q is not valid; start again from the first page.", cursor)
	}
	return nil
}

// ceilMicro rounds t up to the next whole microsecond, the precision of
// stored times: a stored time s is before t exactly when s < ceilMicro(t).
func ceilMicro(t time.Time) time.Time {
	if r := t.Truncate(time.Microsecond); !r.Equal(t) {
		return r.Add(time.Microsecond)
	}
	return t
}
