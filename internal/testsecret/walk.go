package testsecret

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// token is one JSON token with the byte span it occupies in the document.
type token struct {
	value      json.Token
	start, end int // data[start:end] is the token's text, quotes included
}

// member is the walk's record of one object key and its value.
type member struct {
	line  int    // line of the key
	kind  string // JSON type of the value, see kindName
	text  string // decoded value when kind is "string"
	start int    // span of the value token when kind is "string"
	end   int
}

// dbObject is the walk's record of one "db" value.
type dbObject struct {
	member
	hostname     *member
	hostnameDups []int // lines of repeated "hostname" keys
}

// document is the result of walking a syntactically valid document.
type document struct {
	topKind string // JSON type of the top-level value
	db      *dbObject
	dbDups  []int // lines of repeated "db" keys
	values  []string
}

// walker reads a document token by token and tracks byte offsets, so that a
// value can later be replaced in place without re-encoding the document.
type walker struct {
	data    []byte
	dec     *json.Decoder
	prevEnd int
	seen    map[string]bool
	doc     document
}

// walk records the top-level type, the "db" object, the span of
// db.hostname and every string value of data. The caller checks syntax
// first, so a decoder error here means a bug or an input the check missed.
func walk(data []byte) (*document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	// Numbers stay text, so that values like 1e999 do not fail a float conversion.
	dec.UseNumber()
	w := &walker{data: data, dec: dec, seen: map[string]bool{}}

	first, err := w.next()
	if err != nil {
		return nil, err
	}
	w.doc.topKind = kindName(first.value)
	if w.doc.topKind != "object" {
		if err := w.value(first); err != nil {
			return nil, err
		}
		return &w.doc, nil
	}

	for w.dec.More() {
		key, value, err := w.member()
		if err != nil {
			return nil, err
		}
		if key.value != "db" {
			if err := w.value(value); err != nil {
				return nil, err
			}
			continue
		}
		if w.doc.db != nil {
			w.doc.dbDups = append(w.doc.dbDups, w.line(key.start))
		}
		db, err := w.dbValue(key, value)
		if err != nil {
			return nil, err
		}
		w.doc.db = db
	}
	if _, err := w.next(); err != nil { // closing '}'
		return nil, err
	}
	return &w.doc, nil
}

// dbValue walks the value of a "db" key and records its "hostname" member.
func (w *walker) dbValue(key, value token) (*dbObject, error) {
	db := &dbObject{member: w.describe(key, value)}
	if db.kind != "object" {
		return db, w.value(value)
	}
	for w.dec.More() {
		innerKey, innerValue, err := w.member()
		if err != nil {
			return nil, err
		}
		if innerKey.value == "hostname" {
			if db.hostname != nil {
				db.hostnameDups = append(db.hostnameDups, w.line(innerKey.start))
			}
			hostname := w.describe(innerKey, innerValue)
			db.hostname = &hostname
		}
		if err := w.value(innerValue); err != nil {
			return nil, err
		}
	}
	_, err := w.next() // closing '}'
	return db, err
}

// describe summarizes a key and the first token of its value.
func (w *walker) describe(key, value token) member {
	m := member{line: w.line(key.start), kind: kindName(value.value)}
	if text, ok := value.value.(string); ok {
		m.text = text
		m.start, m.end = value.start, value.end
	}
	return m
}

// value walks the rest of the value that starts with tok and collects its
// string values.
func (w *walker) value(tok token) error {
	switch v := tok.value.(type) {
	case string:
		w.addValue(v, tok)
	case json.Delim:
		switch v {
		case '{':
			for w.dec.More() {
				_, value, err := w.member()
				if err != nil {
					return err
				}
				if err := w.value(value); err != nil {
					return err
				}
			}
			_, err := w.next()
			return err
		case '[':
			for w.dec.More() {
				element, err := w.next()
				if err != nil {
					return err
				}
				if err := w.value(element); err != nil {
					return err
				}
			}
			_, err := w.next()
			return err
		}
	}
	return nil
}

// member reads an object key and the first token of its value.
func (w *walker) member() (key, value token, err error) {
	key, err = w.next()
	if err != nil {
		return key, value, err
	}
	if _, ok := key.value.(string); !ok {
		return key, value, fmt.Errorf("testsecret: object key at byte %d is not a string", key.start)
	}
	value, err = w.next()
	return key, value, err
}

func (w *walker) next() (token, error) {
	value, err := w.dec.Token()
	if err != nil {
		return token{}, err
	}
	end := int(w.dec.InputOffset())
	start := skipSeparators(w.data, w.prevEnd)
	w.prevEnd = end
	if start > end {
		return token{}, errors.New("testsecret: token offsets out of order")
	}
	return token{value: value, start: start, end: end}, nil
}

// addValue collects a decoded string value and, when it differs, the text
// between the quotes as written, because a log may show either form.
func (w *walker) addValue(decoded string, tok token) {
	w.add(decoded)
	if tok.end-tok.start >= 2 {
		w.add(string(w.data[tok.start+1 : tok.end-1]))
	}
}

func (w *walker) add(value string) {
	if value == "" || w.seen[value] {
		return
	}
	w.seen[value] = true
	w.doc.values = append(w.doc.values, value)
}

func (w *walker) line(offset int) int {
	line, _ := position(w.data, offset)
	return line
}

// skipSeparators returns the offset of the first byte at or after i that is
// not JSON whitespace, a comma or a colon. json.Decoder.Token consumes those
// silently, so this is where the next token starts.
func skipSeparators(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
		default:
			return i
		}
	}
	return i
}

// position returns the 1-based line and character column of byte offset pos.
func position(data []byte, pos int) (line, column int) {
	pos = min(max(pos, 0), len(data))
	before := data[:pos]
	line = 1 + bytes.Count(before, []byte{'\n'})
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	column = 1 + utf8.RuneCount(before[lineStart:])
	return line, column
}

// kindName names the JSON type of a value's first token.
func kindName(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}
