package testsecret

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that classify what Load and Parse reject. Every error
// returned by this package matches one of them with errors.Is. The messages
// never contain any part of the document, only key names and positions.
var (
	ErrNoPath       = errors.New("no file path given")
	ErrNotFound     = errors.New("file not found")
	ErrUnreadable   = errors.New("file not readable")
	ErrIsDirectory  = errors.New("path is a directory")
	ErrTooLarge     = errors.New("document too large")
	ErrEmpty        = errors.New("document is empty")
	ErrSyntax       = errors.New("document is not valid JSON")
	ErrNotObject    = errors.New("top-level JSON value is not an object")
	ErrNoDB         = errors.New("no db object")
	ErrHostname     = errors.New("db.hostname is missing or invalid")
	ErrDuplicateKey = errors.New("duplicate key")
)

// configError is an error with a full message, a sentinel kind and an
// optional underlying cause such as an *fs.PathError.
type configError struct {
	kind  error
	msg   string
	cause error
}

func (e *configError) Error() string { return e.msg }

func (e *configError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func newError(kind error, format string, args ...any) error {
	return &configError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// SyntaxError is the position where a document stops being valid UTF-8 or
// valid JSON. It matches ErrSyntax with errors.Is.
type SyntaxError struct {
	Line   int   // 1-based line number
	Column int   // 1-based column, counted in characters
	Offset int64 // 0-based byte offset of the problem

	problem string // for example "unexpected character after object key"
	fix     string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not valid JSON: %s at line %d, column %d; %s (the content is not shown because it contains secrets)",
		e.problem, e.Line, e.Column, e.fix)
}

// Is reports whether target is ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

// newSyntaxError builds a SyntaxError at byte offset pos of data.
func newSyntaxError(data []byte, pos int, problem, fix string) *SyntaxError {
	line, column := position(data, pos)
	return &SyntaxError{Line: line, Column: column, Offset: int64(pos), problem: problem, fix: fix}
}

// describeJSONError turns a message of encoding/json's SyntaxError into a
// description without the offending character, which could be part of a
// password. Go writes most messages as "invalid character 'x' <context>".
func describeJSONError(msg string) string {
	const prefix = "invalid character "
	if rest, ok := strings.CutPrefix(msg, prefix); ok {
		// The quoted character may itself be a quote, as in '\'', so the
		// context starts after the first "' " rather than the second quote.
		if i := strings.Index(rest, "' "); i >= 0 {
			return "unexpected character " + rest[i+2:]
		}
		return "unexpected character"
	}
	if strings.HasPrefix(msg, "unexpected end of JSON input") {
		return "the document ends inside an unclosed string, object or array"
	}
	// Other messages, such as "exceeded max depth", quote no input.
	return msg
}
