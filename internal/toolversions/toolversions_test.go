package toolversions

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const antikytheraFile = "erlang 24.3.4.13\nelixir 1.13.4-otp-24\n"

func TestParseValid(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    Versions
	}{
		{"plain", antikytheraFile, Versions{Erlang: "24.3.4.13", Elixir: "1.13.4-otp-24"}},
		{"reversed order", "elixir 1.13.4-otp-24\nerlang 24.3.4.13", Versions{Erlang: "24.3.4.13", Elixir: "1.13.4-otp-24"}},
		{"comments and blank lines", "# pinned by Antikythera\n\n  erlang 26.2.5 # OTP 26\n\t\nelixir 1.16.3-otp-26\n#elixir 1.0\n", Versions{Erlang: "26.2.5", Elixir: "1.16.3-otp-26"}},
		{"other tools", "nodejs 20.11.1\nerlang 25.3\nruby 3.2.2\nelixir 1.14.5\npython\n", Versions{Erlang: "25.3", Elixir: "1.14.5"}},
		{"several versions", "erlang 24.3.4.13 23.3.4\nelixir 1.13.4-otp-24 system\n", Versions{Erlang: "24.3.4.13", Elixir: "1.13.4-otp-24"}},
		{"tabs and spaces", "erlang\t\t24.3\n   elixir    1.13.4   \n", Versions{Erlang: "24.3", Elixir: "1.13.4"}},
		{"CRLF line ends", "erlang 24.3\r\nelixir 1.13.4\r\n", Versions{Erlang: "24.3", Elixir: "1.13.4"}},
		{"no final newline", "erlang 24.3\nelixir 1.13.4", Versions{Erlang: "24.3", Elixir: "1.13.4"}},
		{"byte order mark", "\ufefferlang 24.3\nelixir 1.13.4\n", Versions{Erlang: "24.3", Elixir: "1.13.4"}},
		{"allowed characters", "erlang OTP_24.3+rc1\nelixir main-otp.24\n", Versions{Erlang: "OTP_24.3+rc1", Elixir: "main-otp.24"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := Parse(".tool-versions", strings.NewReader(test.content))

			require.NoError(t, err)
			assert.Equal(t, test.want, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		messages []string
	}{
		{"empty file", "", []string{".tool-versions: no erlang and no elixir line; add lines such as \"erlang 24.3.4.13\" and \"elixir 1.13.4-otp-24\""}},
		{"only comments", "# erlang 24.3\n", []string{".tool-versions: no erlang and no elixir line"}},
		{"no erlang", "elixir 1.13.4\n", []string{".tool-versions: no erlang line; add one such as \"erlang 24.3.4.13\""}},
		{"no elixir", "erlang 24.3\nnodejs 20\n", []string{".tool-versions: no elixir line; add one such as \"elixir 1.13.4-otp-24\""}},
		{"upper-case tool name", "Erlang 24.3\nelixir 1.13.4\n", []string{".tool-versions: no erlang line"}},
		{"erlang without version", "erlang\nelixir 1.13.4\n", []string{".tool-versions:1: erlang has no version; write it as \"erlang 24.3.4.13\""}},
		{"elixir without version", "erlang 24.3\n\nelixir   # TODO\n", []string{".tool-versions:3: elixir has no version; write it as \"elixir 1.13.4-otp-24\""}},
		{"duplicate erlang", "erlang 24.3\nelixir 1.13.4\nerlang 25.0\n", []string{".tool-versions:3: erlang is listed again (first at line 1); keep one erlang line"}},
		{"unsafe character", "erlang 24.3;rm\nelixir 1.13.4\n", []string{".tool-versions:1: erlang version \"24.3;rm\" contains ';'; a version may contain only letters, digits, '.', '_', '+' and '-'"}},
		{"quote", "erlang 24.3\nelixir 1.13\"\n", []string{".tool-versions:2: elixir version \"1.13\\\"\" contains '\"'"}},
		{"dollar", "erlang $VERSION\nelixir 1.13.4\n", []string{"contains '$'"}},
		{"non-ASCII", "erlang 24.３\nelixir 1.13.4\n", []string{"contains '３'"}},
		{"system", "erlang system\nelixir 1.13.4\n", []string{".tool-versions:1: erlang version \"system\" means the tool installed on the host; pin a release version"}},
		{"ref", "erlang 24.3\nelixir ref:v1.13.4\n", []string{".tool-versions:2: elixir version \"ref:v1.13.4\" is an asdf reference to a git revision or a local directory"}},
		{"path", "erlang path:/opt/erlang\nelixir 1.13.4\n", []string{".tool-versions:1: erlang version \"path:/opt/erlang\" is an asdf reference"}},
		{
			"several problems",
			"erlang\nerlang 24.3\nnodejs 20\n",
			[]string{
				".tool-versions:1: erlang has no version",
				".tool-versions:2: erlang is listed again (first at line 1)",
				".tool-versions: no elixir line",
			},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := Parse(".tool-versions", strings.NewReader(test.content))

			require.Error(t, err)
			assert.Equal(t, Versions{}, got)
			for _, message := range test.messages {
				assert.Contains(t, err.Error(), message)
			}
			assert.Len(t, strings.Split(err.Error(), "\n"), len(test.messages), "one line per problem: %v", err)
			var lineErr *Error
			require.ErrorAs(t, err, &lineErr)
			assert.Equal(t, ".tool-versions", lineErr.File)
		})
	}
}

func TestParseErrorLineNumber(t *testing.T) {
	_, err := Parse("gear/.tool-versions", strings.NewReader("# header\nerlang 24.3\n\nelixir 1.13 @\nelixir 1.13!\n"))

	var lineErr *Error
	require.ErrorAs(t, err, &lineErr)
	assert.Equal(t, &Error{File: "gear/.tool-versions", Line: 5, Message: "elixir is listed again (first at line 4); keep one elixir line"}, lineErr)
}

func TestParseLongLine(t *testing.T) {
	content := "erlang 24.3\nelixir " + strings.Repeat("1", maxLineLength) + "\n"

	_, err := Parse(".tool-versions", strings.NewReader(content))

	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 2 is longer than 65536 bytes")
}

func TestParseReadError(t *testing.T) {
	reader := iotest.ErrReader(errors.New("disk failure"))

	_, err := Parse(".tool-versions", reader)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading .tool-versions failed: disk failure")
}

func TestLoadRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".tool-versions")
	require.NoError(t, os.WriteFile(path, []byte(antikytheraFile), 0o644))

	got, err := Load(path)

	require.NoError(t, err)
	assert.Equal(t, Versions{Erlang: "24.3.4.13", Elixir: "1.13.4-otp-24"}, got)
}

// gearWithLink creates a gear directory whose .tool-versions is a relative
// symbolic link into deps/antikythera, as in a real gear, and returns the
// gear directory and the link.
func gearWithLink(t *testing.T) (gear, link string) {
	t.Helper()
	gear = t.TempDir()
	link = filepath.Join(gear, ".tool-versions")
	require.NoError(t, os.Symlink("deps/antikythera/.tool-versions", link))
	return gear, link
}

func TestLoadFollowsSymlink(t *testing.T) {
	gear, link := gearWithLink(t)
	require.NoError(t, os.MkdirAll(filepath.Join(gear, "deps", "antikythera"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(gear, "deps", "antikythera", ".tool-versions"), []byte(antikytheraFile), 0o644))

	got, err := Load(link)

	require.NoError(t, err)
	assert.Equal(t, Versions{Erlang: "24.3.4.13", Elixir: "1.13.4-otp-24"}, got)
}

func TestLoadErrorsNameLink(t *testing.T) {
	gear, link := gearWithLink(t)
	require.NoError(t, os.MkdirAll(filepath.Join(gear, "deps", "antikythera"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(gear, "deps", "antikythera", ".tool-versions"), []byte("erlang 24.3\n"), 0o644))

	_, err := Load(link)

	require.Error(t, err)
	assert.Equal(t, link+": no elixir line; add one such as \"elixir 1.13.4-otp-24\"", err.Error())
}

func TestLoadDanglingSymlink(t *testing.T) {
	gear, link := gearWithLink(t)

	_, err := Load(link)

	require.ErrorIs(t, err, ErrDanglingSymlink)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	want := link + " is a symbolic link to deps/antikythera/.tool-versions, but " +
		filepath.Join(gear, "deps", "antikythera", ".tool-versions") +
		" does not exist; run mix deps.get to fetch Antikythera, which provides it"
	assert.True(t, strings.HasPrefix(err.Error(), want), "got %q", err.Error())
}

func TestLoadDanglingSymlinkChain(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, ".tool-versions")
	middle := filepath.Join(dir, "middle")
	target := filepath.Join(dir, "deps", ".tool-versions")
	require.NoError(t, os.Symlink(middle, link))
	require.NoError(t, os.Symlink(target, middle))

	_, err := Load(link)

	require.ErrorIs(t, err, ErrDanglingSymlink)
	assert.Contains(t, err.Error(), link+" is a symbolic link to "+middle+", but "+target+" does not exist")
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".tool-versions")

	_, err := Load(path)

	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, ErrDanglingSymlink)
	assert.Contains(t, err.Error(), path+" does not exist; run the build from the root of the gear's Mix project")
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()

	_, err := Load(dir)

	require.Error(t, err)
	assert.Equal(t, dir+" is a directory; pass the path of the .tool-versions file", err.Error())
}

func TestErrorFormat(t *testing.T) {
	assert.Equal(t, "f:3: bad", (&Error{File: "f", Line: 3, Message: "bad"}).Error())
	assert.Equal(t, "f: bad", (&Error{File: "f", Message: "bad"}).Error())
}
