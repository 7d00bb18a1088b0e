package testsecret

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const password = "Pa55-w0rd-XYZ"

const validDoc = `{
  "db": {
    "hostname": "db.example.test",
    "username": "gear",
    "password": "` + password + `",
    "database": "gear_test",
    "ssl": false
  }
}
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// assertNoSecret checks that a message contains no secret from the test
// documents.
func assertNoSecret(t *testing.T, msg string) {
	t.Helper()
	assert.NotContains(t, msg, password)
	assert.NotContains(t, msg, "Pa55")
}

func TestLoadValidFile(t *testing.T) {
	path := writeFile(t, "gear_test_config.json", validDoc)

	secret, err := Load(path)

	require.NoError(t, err)
	assert.Equal(t, []byte(validDoc), secret.Bytes())
	assert.Equal(t, "db.example.test", secret.Hostname())
	assert.Equal(t, "db.example.test", secret.OriginalHostname())
	assert.False(t, secret.Rewritten())
}

func TestLoadRewritesLocalhost(t *testing.T) {
	path := writeFile(t, "gear_test_config.json", `{"db":{"hostname":"localhost","password":"`+password+`"}}`)

	secret, err := Load(path)

	require.NoError(t, err)
	assert.Equal(t, `{"db":{"hostname":"host.docker.internal","password":"`+password+`"}}`, string(secret.Bytes()))
	assert.True(t, secret.Rewritten())
	assert.Equal(t, HostDockerInternal, secret.Hostname())
	assert.Equal(t, "localhost", secret.OriginalHostname())
}

func TestLoadEmptyPath(t *testing.T) {
	_, err := Load("")

	require.ErrorIs(t, err, ErrNoPath)
	assert.Contains(t, err.Error(), "gear_test_config.json")
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.json")

	_, err := Load(path)

	require.ErrorIs(t, err, ErrNotFound)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "does not exist")
}

func TestLoadRelativePathNamesWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	_, err := Load("./absent.json")

	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), filepath.Join(dir, "absent.json"))
	assert.Contains(t, err.Error(), "working directory "+dir)
}

func TestLoadParentIsFile(t *testing.T) {
	parent := writeFile(t, "not-a-dir", "x")

	_, err := Load(filepath.Join(parent, "gear_test_config.json"))

	require.ErrorIs(t, err, ErrNotFound)
	assert.ErrorIs(t, err, syscall.ENOTDIR)
	assert.Contains(t, err.Error(), "is a file, not a directory")
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()

	_, err := Load(dir)

	require.ErrorIs(t, err, ErrIsDirectory)
	assert.Contains(t, err.Error(), dir+" is a directory")
	assert.Contains(t, err.Error(), "give the path of the JSON file in it")
}

func TestLoadEmptyFile(t *testing.T) {
	path := writeFile(t, "empty.json", "")

	_, err := Load(path)

	require.ErrorIs(t, err, ErrEmpty)
	assert.Contains(t, err.Error(), "the file is empty (0 bytes)")
}

func TestLoadWhitespaceFile(t *testing.T) {
	path := writeFile(t, "blank.json", " \n\t\r\n ")

	_, err := Load(path)

	require.ErrorIs(t, err, ErrEmpty)
	assert.Contains(t, err.Error(), "the file contains only whitespace")
}

func TestLoadTooLargeFile(t *testing.T) {
	path := writeFile(t, "big.json", `{"db":{"hostname":"h","pad":"`+strings.Repeat("x", MaxSize)+`"}}`)

	_, err := Load(path)

	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d bytes", MaxSize))
}

func TestLoadInvalidJSONFile(t *testing.T) {
	path := writeFile(t, "bad.json", "{\n  \"db\": {\n    \"password\": "+password+"\n  }\n}\n")

	_, err := Load(path)

	require.ErrorIs(t, err, ErrSyntax)
	var syntaxErr *SyntaxError
	require.ErrorAs(t, err, &syntaxErr)
	assert.Equal(t, 3, syntaxErr.Line)
	assert.Equal(t, 17, syntaxErr.Column)
	assert.Contains(t, err.Error(), "line 3, column 17")
	assertNoSecret(t, err.Error())
}

func TestLoadReadsPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	written := make(chan error, 1)
	go func() {
		// Opening a FIFO for writing blocks until Load opens it for reading.
		written <- os.WriteFile(path, []byte(validDoc), 0o600)
	}()

	secret, err := Load(path)

	require.NoError(t, err)
	require.NoError(t, <-written)
	assert.Equal(t, validDoc, string(secret.Bytes()))
}

// TestLoadReadFailure uses /proc/self/mem, which every user can open but
// which fails to read at offset 0 with EIO, even for root.
func TestLoadReadFailure(t *testing.T) {
	_, err := Load("/proc/self/mem")

	require.ErrorIs(t, err, ErrUnreadable)
	assert.ErrorIs(t, err, syscall.EIO)
	assert.Contains(t, err.Error(), "reading /proc/self/mem failed")
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		kind    error
		message string
	}{
		{"empty", "", ErrEmpty, "the document is empty (0 bytes)"},
		{"whitespace", "\n \t\n", ErrEmpty, "the document contains only whitespace"},
		{"array", `[{"db":{"hostname":"h"}}]`, ErrNotObject, "the top-level JSON value is an array"},
		{"string", `"` + password + `"`, ErrNotObject, "the top-level JSON value is a string"},
		{"number", `42`, ErrNotObject, "the top-level JSON value is a number"},
		{"boolean", `true`, ErrNotObject, "the top-level JSON value is a boolean"},
		{"null", `null`, ErrNotObject, "the top-level JSON value is null"},
		{"no db", `{"database":{"hostname":"h","password":"` + password + `"}}`, ErrNoDB, "the top-level object has no \"db\" key"},
		{"db string", "{\n\"db\": \"" + password + "\"}", ErrNoDB, "\"db\" at line 2 is a string"},
		{"db null", `{"db": null}`, ErrNoDB, "\"db\" at line 1 is null"},
		{"db array", `{"db": [{"hostname":"h"}]}`, ErrNoDB, "\"db\" at line 1 is an array"},
		{"hostname missing", "{\"db\": {\n\"host\": \"h\", \"password\": \"" + password + "\"}}", ErrHostname, "\"db\" at line 1 has no \"hostname\" key"},
		{"hostname in other object", `{"db": {}, "other": {"hostname": "h"}}`, ErrHostname, "has no \"hostname\" key"},
		{"hostname number", "{\"db\": {\n\n\"hostname\": 5432}}", ErrHostname, "\"db.hostname\" at line 3 is a number"},
		{"hostname null", `{"db": {"hostname": null}}`, ErrHostname, "\"db.hostname\" at line 1 is null"},
		{"hostname object", `{"db": {"hostname": {"name": "h"}}}`, ErrHostname, "is an object"},
		{"hostname boolean", `{"db": {"hostname": false}}`, ErrHostname, "is a boolean"},
		{"hostname empty", `{"db": {"hostname": ""}}`, ErrHostname, "\"db.hostname\" at line 1 is empty"},
		{"hostname blank", `{"db": {"hostname": "  "}}`, ErrHostname, "is empty"},
		{"duplicate db", "{\"db\": {\"hostname\": \"a\"},\n\"db\": {\"hostname\": \"b\"}}", ErrDuplicateKey, "the key \"db\" appears again at line 2"},
		{"duplicate hostname", "{\"db\": {\"hostname\": \"a\",\n\n\"hostname\": \"b\"}}", ErrDuplicateKey, "the key \"db.hostname\" appears again at line 3"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			secret, err := Parse([]byte(test.doc))

			assert.Nil(t, secret)
			require.ErrorIs(t, err, test.kind)
			assert.Contains(t, err.Error(), test.message)
			assertNoSecret(t, err.Error())
		})
	}
}

func TestParseJoinsIndependentProblems(t *testing.T) {
	doc := "{\"db\": {\"hostname\": \"a\"},\n\"db\": {\"password\": \"" + password + "\"}}"

	_, err := Parse([]byte(doc))

	require.ErrorIs(t, err, ErrDuplicateKey)
	require.ErrorIs(t, err, ErrHostname)
	assert.Contains(t, err.Error(), "appears again at line 2")
	assert.Contains(t, err.Error(), "\"db\" at line 2 has no \"hostname\" key")
	assertNoSecret(t, err.Error())
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		line    int
		column  int
		problem string
	}{
		{"unquoted value", "{\"db\": {\"password\": " + password + "}}", 1, 21, "unexpected character looking for beginning of value"},
		{"missing colon", "{\n  \"db\" {}\n}", 2, 8, "unexpected character after object key"},
		{"trailing comma", "{\"db\": {\"hostname\": \"h\",}}", 1, 25, "unexpected character looking for beginning of object key string"},
		{"single quotes", "{'db': 1}", 1, 2, "unexpected character looking for beginning of object key string"},
		{"text after value", "{\"db\": {}}\n" + password, 2, 1, "unexpected character after top-level value"},
		{"unclosed string", "{\"db\": {\"password\": \"" + password, 1, 35, "the document ends inside an unclosed string, object or array"},
		{"unclosed object", "{\"db\": {}\n\n", 1, 10, "the document ends inside"},
		{"control character in string", "{\"db\": {\"password\": \"Pa55\x01\"}}", 1, 26, "unexpected character in string literal"},
		{"bad escape", `{"db": {"password": "Pa55\q"}}`, 1, 27, "unexpected character in string escape code"},
		{"byte order mark", "\xef\xbb\xbf{\"db\": {\"hostname\": \"h\"}}", 1, 1, "a UTF-8 byte order mark"},
		{"invalid UTF-8", "{\"db\": {\n\"password\": \"Pa55\xff\"}}", 2, 18, "an invalid UTF-8 byte"},
		{"column counts characters", "{\"é\": é}", 1, 7, "unexpected character"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := Parse([]byte(test.doc))

			require.ErrorIs(t, err, ErrSyntax)
			var syntaxErr *SyntaxError
			require.ErrorAs(t, err, &syntaxErr)
			assert.Equal(t, test.line, syntaxErr.Line, "line")
			assert.Equal(t, test.column, syntaxErr.Column, "column")
			assert.Contains(t, err.Error(), test.problem)
			assert.Contains(t, err.Error(), fmt.Sprintf("at line %d, column %d", test.line, test.column))
			assertNoSecret(t, err.Error())
			assert.NotContains(t, err.Error(), "'", "the offending character must not be quoted")
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	doc := `{"db":{"hostname":"h","pad":"` + strings.Repeat("x", MaxSize) + `"}}`

	_, err := Parse([]byte(doc))

	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), fmt.Sprintf("the document is %d bytes", len(doc)))
}

func TestParseAcceptsMaxSize(t *testing.T) {
	prefix, suffix := `{"db":{"hostname":"h","pad":"`, `"}}`
	doc := prefix + strings.Repeat("x", MaxSize-len(prefix)-len(suffix)) + suffix
	require.Len(t, doc, MaxSize)

	_, err := Parse([]byte(doc))

	assert.NoError(t, err)
}

func TestParseRewritesLoopbackHostnames(t *testing.T) {
	tests := []struct {
		name     string
		hostname string // JSON string token as written
		want     string // JSON string token expected in the output
	}{
		{"localhost", `"localhost"`, `"host.docker.internal"`},
		{"upper case", `"LocalHost"`, `"host.docker.internal"`},
		{"fully qualified", `"localhost."`, `"host.docker.internal"`},
		{"localdomain", `"localhost.localdomain"`, `"host.docker.internal"`},
		{"localdomain upper case", `"LOCALHOST.LOCALDOMAIN"`, `"host.docker.internal"`},
		{"ip6-localhost", `"ip6-localhost"`, `"host.docker.internal"`},
		{"ip6-loopback", `"ip6-loopback"`, `"host.docker.internal"`},
		{"127.0.0.1", `"127.0.0.1"`, `"host.docker.internal"`},
		{"127.1.2.3", `"127.1.2.3"`, `"host.docker.internal"`},
		{"127.255.255.254", `"127.255.255.254"`, `"host.docker.internal"`},
		{"short form", `"127.1"`, `"host.docker.internal"`},
		{"::1", `"::1"`, `"host.docker.internal"`},
		{"bracketed ::1", `"[::1]"`, `"host.docker.internal"`},
		{"long ::1", `"0:0:0:0:0:0:0:1"`, `"host.docker.internal"`},
		{"zero-padded ::1", `"0000:0000:0000:0000:0000:0000:0000:0001"`, `"host.docker.internal"`},
		{"mapped IPv4", `"::ffff:127.0.0.1"`, `"host.docker.internal"`},
		{"escaped name", `"local\u0068ost"`, `"host.docker.internal"`},
		{"escaped upper case", `"\u004cOCALHOST"`, `"host.docker.internal"`},
		{"escaped address", `"127.0.0.\u0031"`, `"host.docker.internal"`},
		{"escaped solidus kept", `"db\/1"`, `"db\/1"`},
		{"remote name", `"db.example.test"`, `"db.example.test"`},
		{"localhost subdomain", `"localhost.example.test"`, `"localhost.example.test"`},
		{"name containing localhost", `"mylocalhost"`, `"mylocalhost"`},
		{"private address", `"10.0.0.5"`, `"10.0.0.5"`},
		{"host address", `"192.168.1.10"`, `"192.168.1.10"`},
		{"IPv6 address", `"fe80::1"`, `"fe80::1"`},
		{"unspecified address", `"0.0.0.0"`, `"0.0.0.0"`},
		{"host.docker.internal", `"host.docker.internal"`, `"host.docker.internal"`},
		{"with port", `"localhost:5432"`, `"localhost:5432"`},
		{"leading space", `" localhost"`, `" localhost"`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			doc := "{ \"db\" :{\"hostname\":" + test.hostname + " , \"password\":\"" + password + "\"}}\n"
			want := "{ \"db\" :{\"hostname\":" + test.want + " , \"password\":\"" + password + "\"}}\n"

			secret, err := Parse([]byte(doc))

			require.NoError(t, err)
			assert.Equal(t, want, string(secret.Bytes()))
			assert.Equal(t, test.hostname != test.want, secret.Rewritten())
			var wantHost string
			require.NoError(t, json.Unmarshal([]byte(test.want), &wantHost))
			assert.Equal(t, wantHost, secret.Hostname())
		})
	}
}

func TestParsePreservesEverythingElse(t *testing.T) {
	doc := "\r\n\t{\r\n" +
		"\t\"zeta\" : [ 1.50E+3 , -0.0, 1e999, \"\\u00e9t\\u00E9\" ],\r\n" +
		"   \"hostname\"   :   \"localhost\",\n" +
		"\"other\": {\"db\": {\"hostname\": \"localhost\"}},\n" +
		"  \"db\"\n  :\n  {  \"ssl\" :false ,\"password\" : \"" + password + "\\n\",\n" +
		"     \"hostname\"\t:\t\"local\\u0068ost\"   ,  \"port\":5432,\"opts\":{\"hostname\":\"127.0.0.1\"}\n" +
		"  } ,\"aaa\":\"\\ud83d\\ude00\" }\n\n"
	want := strings.Replace(doc, `"local\u0068ost"`, `"host.docker.internal"`, 1)
	require.NotEqual(t, doc, want)

	secret, err := Parse([]byte(doc))

	require.NoError(t, err)
	assert.Equal(t, want, string(secret.Bytes()))
	assert.Equal(t, "localhost", secret.OriginalHostname())
	assert.True(t, secret.Rewritten())
}

func TestParseEscapedKeys(t *testing.T) {
	doc := `{"d\u0062": {"host\u006eame": "localhost", "password": "` + password + `"}}`
	want := `{"d\u0062": {"host\u006eame": "host.docker.internal", "password": "` + password + `"}}`

	secret, err := Parse([]byte(doc))

	require.NoError(t, err)
	assert.Equal(t, want, string(secret.Bytes()))
	assert.True(t, secret.Rewritten())
}

func TestParseKeepsOwnCopy(t *testing.T) {
	data := []byte(validDoc)

	secret, err := Parse(data)
	require.NoError(t, err)
	copy(data, "XXXXXXXX")
	returned := secret.Bytes()
	returned[0] = 'X'

	assert.Equal(t, validDoc, string(secret.Bytes()))
}

func TestSecretFormattingHidesContent(t *testing.T) {
	secret, err := Parse([]byte(validDoc))
	require.NoError(t, err)
	want := fmt.Sprintf("testsecret.Secret(<redacted>, %d bytes)", len(validDoc))
	holder := struct {
		Secret *Secret
		Value  Secret
	}{secret, *secret}

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		t.Run(verb, func(t *testing.T) {
			for _, value := range []any{secret, *secret, holder, []any{secret}} {
				text := fmt.Sprintf(verb, value)
				assertNoSecret(t, text)
				assert.NotContains(t, text, "gear_test")
				assert.NotContains(t, text, fmt.Sprintf("%x", password))
			}
		})
	}
	assert.Equal(t, want, secret.String())
	assert.Equal(t, want, secret.GoString())
	assert.Equal(t, want, fmt.Sprintf("%+v", secret))
	assert.Equal(t, want, fmt.Sprintf("%#v", *secret))
}

func TestValues(t *testing.T) {
	doc := `{"db": {"hostname": "localhost", "username": "gear", "password": "` + password + `",` +
		` "database": "gear", "ssl": false, "port": 5432, "empty": ""},` +
		` "api_token_key": "tok\u0065n-1", "list": ["a", {"nested": "b"}], "gear": null}`

	secret, err := Parse([]byte(doc))
	require.NoError(t, err)
	values := secret.Values()

	rewritten := strings.Replace(doc, `"localhost"`, `"host.docker.internal"`, 1)
	assert.Equal(t, []string{
		HostDockerInternal, "gear", password, "token-1", `tok\u0065n-1`, "a", "b",
		rewritten, doc,
	}, values)
}

func TestValuesWithoutRewrite(t *testing.T) {
	secret, err := Parse([]byte(validDoc))
	require.NoError(t, err)

	assert.Equal(t, []string{"db.example.test", "gear", password, "gear_test", validDoc}, secret.Values())
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LOCALHOST", true},
		{"localhost.", true},
		{"localhost.localdomain", true},
		{"ip6-localhost", true},
		{"IP6-LOOPBACK", true},
		{"127.0.0.1", true},
		{"127.0.0.0", true},
		{"127.255.255.255", true},
		{"127.1", true},
		{"127.0.1", true},
		{"0x7f.1", true},
		{"0177.0.0.1", true},
		{"2130706433", true},
		{"::1", true},
		{"[::1]", true},
		{"::1%lo", true},
		{"0:0:0:0:0:0:0:1", true},
		{"::ffff:127.0.0.1", true},
		{"", false},
		{"local", false},
		{"localhost..", false},
		{"128.0.0.1", false},
		{"126.255.255.255", false},
		{"10.0.0.5", false},
		{"0.0.0.0", false},
		{"::", false},
		{"::2", false},
		{"[::1", false},
		{"127.256", true},
		{"127.0.256", true},
		{"127.16777216", false},
		{"127.0.65536", false},
		{"127.0.0.256", false},
		{"127.0.0.1.5", false},
		{"127..1", false},
		{"127.0x", false},
		{"127.08", false},
		{"127.1_0", false},
		{"+127.1", false},
		{"127.0.0.1:5432", false},
		{"4294967296", false},
	}
	for _, test := range tests {
		assert.Equal(t, test.want, IsLoopback(test.host), "IsLoopback(%q)", test.host)
	}
}

func TestSyntaxErrorIsErrSyntax(t *testing.T) {
	err := error(&SyntaxError{Line: 1, Column: 1})

	assert.True(t, errors.Is(err, ErrSyntax))
	assert.False(t, errors.Is(err, ErrEmpty))
}
