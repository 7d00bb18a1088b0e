// Package testsecret loads the whitebox test config of a gear
// (gear_test_config.json), which the gear image build mounts as the BuildKit
// secret test_secret for mix test.
//
// The document looks like
//
//	{"db": {"hostname": "...", "username": "...", "password": "...", "database": "...", "ssl": false}}
//
// and may contain other keys. Inside a build, localhost is the build
// container, so a loopback db.hostname is rewritten to host.docker.internal.
// The rest of the document stays byte-for-byte as written.
//
// The document contains passwords, so nothing here writes it to disk, and no
// error message or formatted Secret contains any part of it.
package testsecret

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"
)

// HostDockerInternal is the host name that replaces a loopback db.hostname.
// On Linux it resolves inside a build only when the build maps it to the
// host, for example with the host-gateway address.
const HostDockerInternal = "host.docker.internal"

// MaxSize is the largest document accepted, in bytes. It equals
// MaxSecretSize of BuildKit's secretsprovider package (v0.25), which rejects
// larger secrets.
const MaxSize = 500 * 1024

// Secret is a checked test config document, possibly with db.hostname
// rewritten. Its String, GoString and Format methods print only its size.
type Secret struct {
	data      []byte // the document handed to BuildKit
	original  []byte // the document as read, kept only when rewritten
	hostname  string
	oldHost   string
	rewritten bool
}

// Load reads and checks the test config file at path. See Parse for the
// checks and the rewrite. Besides regular files, path may name a pipe such
// as /dev/stdin.
func Load(path string) (*Secret, error) {
	if path == "" {
		return nil, newError(ErrNoPath, "no file path given; set it to the path of the whitebox test config, for example ./gear_test_config.json")
	}
	displayPath := describePath(path)

	info, err := os.Stat(path)
	if err != nil {
		return nil, openError(displayPath, err)
	}
	if info.IsDir() {
		return nil, newError(ErrIsDirectory, "%s is a directory; give the path of the JSON file in it", displayPath)
	}
	if info.Mode().IsRegular() && info.Size() > MaxSize {
		return nil, tooLarge("the file", info.Size())
	}

	file, err := os.Open(path)
	if err != nil {
		return nil, openError(displayPath, err)
	}
	defer file.Close()

	// Pipes have no size in advance, so read one byte past the limit.
	data, err := io.ReadAll(io.LimitReader(file, MaxSize+1))
	if err != nil {
		return nil, &configError{
			kind:  ErrUnreadable,
			msg:   fmt.Sprintf("reading %s failed: %v; check that the file is a readable regular file", displayPath, pathErrorReason(err)),
			cause: err,
		}
	}
	if len(data) > MaxSize {
		return nil, tooLarge("the file", int64(len(data)))
	}
	return parse(data, "the file")
}

// Parse checks a test config document and rewrites a loopback db.hostname
// (see IsLoopback) to HostDockerInternal.
//
// It rejects a document that is empty or only whitespace, larger than
// MaxSize, or not valid UTF-8 or JSON. Syntax errors are a *SyntaxError with
// line and column. It also rejects a top-level value that is not an object,
// a missing "db" object, and a db.hostname that is missing, not a string or
// empty. A repeated "db" or db.hostname key is rejected too, because JSON
// libraries differ in which copy they use. Independent problems are joined
// into one error.
//
// Parse keeps its own copy of data.
func Parse(data []byte) (*Secret, error) {
	if len(data) > MaxSize {
		return nil, tooLarge("the document", int64(len(data)))
	}
	return parse(bytes.Clone(data), "the document")
}

// parse checks data and builds the Secret. noun names the input in
// messages ("the file" or "the document"). parse keeps data.
func parse(data []byte, noun string) (*Secret, error) {
	if len(data) == 0 {
		return nil, newError(ErrEmpty, "%s is empty (0 bytes); it must contain a JSON object with a \"db\" object", noun)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, newError(ErrEmpty, "%s contains only whitespace; it must contain a JSON object with a \"db\" object", noun)
	}
	if err := checkSyntax(data); err != nil {
		return nil, err
	}

	doc, err := walk(data)
	if err != nil {
		return nil, fmt.Errorf("testsecret: reading a document that passed the syntax check failed: %w", err)
	}
	host, err := checkDocument(doc)
	if err != nil {
		return nil, err
	}

	secret := &Secret{data: data, hostname: host.text, oldHost: host.text}
	if IsLoopback(host.text) {
		rewritten := make([]byte, 0, len(data)-(host.end-host.start)+len(HostDockerInternal)+2)
		rewritten = append(rewritten, data[:host.start]...)
		rewritten = append(rewritten, '"')
		rewritten = append(rewritten, HostDockerInternal...)
		rewritten = append(rewritten, '"')
		rewritten = append(rewritten, data[host.end:]...)

		secret.original = data
		secret.data = rewritten
		secret.hostname = HostDockerInternal
		secret.rewritten = true
	}
	return secret, nil
}

// checkDocument checks the structure that the walk found and returns the
// db.hostname member.
func checkDocument(doc *document) (*member, error) {
	if doc.topKind != "object" {
		return nil, newError(ErrNotObject, "the top-level JSON value is %s; it must be an object such as {\"db\": {\"hostname\": \"localhost\", ...}}",
			withArticle(doc.topKind))
	}

	var problems []error
	for _, line := range doc.dbDups {
		problems = append(problems, newError(ErrDuplicateKey, "the key \"db\" appears again at line %d; keep only one \"db\" object", line))
	}

	db := doc.db
	switch {
	case db == nil:
		problems = append(problems, newError(ErrNoDB, "the top-level object has no \"db\" key; add \"db\": {\"hostname\": ..., \"username\": ..., \"password\": ..., \"database\": ..., \"ssl\": false}"))
	case db.kind != "object":
		problems = append(problems, newError(ErrNoDB, "\"db\" at line %d is %s; it must be an object with the keys hostname, username, password, database and ssl",
			db.line, withArticle(db.kind)))
	default:
		for _, line := range db.hostnameDups {
			problems = append(problems, newError(ErrDuplicateKey, "the key \"db.hostname\" appears again at line %d; keep only one", line))
		}
		if err := checkHostname(db); err != nil {
			problems = append(problems, err)
		}
	}

	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return db.hostname, nil
}

func checkHostname(db *dbObject) error {
	host := db.hostname
	switch {
	case host == nil:
		return newError(ErrHostname, "\"db\" at line %d has no \"hostname\" key; add the database host, for example \"hostname\": \"localhost\"", db.line)
	case host.kind != "string":
		return newError(ErrHostname, "\"db.hostname\" at line %d is %s; it must be a string such as \"localhost\"", host.line, withArticle(host.kind))
	case strings.TrimSpace(host.text) == "":
		return newError(ErrHostname, "\"db.hostname\" at line %d is empty; set it to the database host, for example \"localhost\"", host.line)
	}
	return nil
}

// checkSyntax returns a *SyntaxError when data is not valid UTF-8 or not a
// single valid JSON value.
func checkSyntax(data []byte) error {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return newSyntaxError(data, 0, "a UTF-8 byte order mark", "save the file as UTF-8 without a byte order mark")
	}
	if pos := invalidUTF8(data); pos >= 0 {
		return newSyntaxError(data, pos, "an invalid UTF-8 byte", "save the file as UTF-8")
	}

	var syntaxErr *json.SyntaxError
	err := json.Unmarshal(data, new(json.RawMessage))
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntaxErr):
		// Offset counts the bytes read up to and including the offending
		// one. When the input ends early, the position is right after its
		// last character that is not whitespace.
		pos := int(syntaxErr.Offset) - 1
		if strings.HasPrefix(syntaxErr.Error(), "unexpected end") {
			pos = len(bytes.TrimRight(data, " \t\r\n"))
		}
		return newSyntaxError(data, pos, describeJSONError(syntaxErr.Error()), "fix the JSON there")
	default:
		return fmt.Errorf("testsecret: checking JSON syntax failed: %w", err)
	}
}

// invalidUTF8 returns the offset of the first byte that is not part of valid
// UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func withArticle(kind string) string {
	switch kind {
	case "object", "array":
		return "an " + kind
	case "null":
		return "null"
	}
	return "a " + kind
}

func tooLarge(noun string, size int64) error {
	return newError(ErrTooLarge, "%s is %d bytes, but BuildKit accepts secrets of at most %d bytes; pass the small test config JSON, not another file", noun, size, MaxSize)
}

// describePath returns path as absolute, and mentions the working directory
// when path is relative, because a relative path in CI often starts from an
// unexpected directory.
func describePath(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	return fmt.Sprintf("%s (resolved from the working directory %s)", filepath.Join(wd, path), wd)
}

// openError classifies an error from os.Stat or os.Open.
func openError(displayPath string, err error) error {
	var kind error
	var msg string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = ErrNotFound
		msg = fmt.Sprintf("%s does not exist; check the path and the file name", displayPath)
	case errors.Is(err, syscall.ENOTDIR):
		kind = ErrNotFound
		msg = fmt.Sprintf("%s does not exist because a part of the path before the file name is a file, not a directory; check the path", displayPath)
	case errors.Is(err, fs.ErrPermission):
		kind = ErrUnreadable
		msg = fmt.Sprintf("permission denied opening %s; make the file and its directories readable by the user running the build (uid %d)", displayPath, os.Geteuid())
	default:
		kind = ErrUnreadable
		msg = fmt.Sprintf("opening %s failed: %v", displayPath, pathErrorReason(err))
	}
	return &configError{kind: kind, msg: msg, cause: err}
}

// pathErrorReason returns the error inside an *fs.PathError, whose own text
// repeats the path that the message already shows, or err itself.
func pathErrorReason(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// Bytes returns a copy of the document to hand to BuildKit, with
// db.hostname rewritten when Rewritten reports true.
func (s Secret) Bytes() []byte { return bytes.Clone(s.data) }

// Hostname returns db.hostname after the rewrite.
func (s Secret) Hostname() string { return s.hostname }

// OriginalHostname returns db.hostname as decoded from the input.
func (s Secret) OriginalHostname() string { return s.oldHost }

// Rewritten reports whether db.hostname was a loopback host and was replaced
// with HostDockerInternal.
func (s Secret) Rewritten() bool { return s.rewritten }

// Values returns the strings to mask in logs. First come the non-empty
// string values of the document that Bytes returns, each decoded and, where
// escapes make a difference, also as written between the quotes. Then comes
// that whole document, and, when db.hostname was rewritten, the document as
// read. Object keys are not included, and each string appears once.
//
// NOTE: a document usually spans several lines. A log that prints it line
// by line is masked only through the single values, not through the
// whole-document entries.
func (s Secret) Values() []string {
	doc, err := walk(s.data)
	var values []string
	if err == nil {
		values = doc.values
	}
	seen := make(map[string]bool, len(values)+2)
	for _, value := range values {
		seen[value] = true
	}
	for _, whole := range [][]byte{s.data, s.original} {
		if len(whole) > 0 && !seen[string(whole)] {
			seen[string(whole)] = true
			values = append(values, string(whole))
		}
	}
	return values
}

// String returns a placeholder with the document's size, never its content.
func (s Secret) String() string {
	return fmt.Sprintf("testsecret.Secret(<redacted>, %d bytes)", len(s.data))
}

// GoString returns the same placeholder as String, so %#v reveals nothing.
func (s Secret) GoString() string { return s.String() }

// Format writes the placeholder from String for every verb and flag, so
// that %v, %+v, %s, %q and %x reveal nothing.
func (s Secret) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, s.String())
}
