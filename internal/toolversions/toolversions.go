// Package toolversions reads the Erlang and Elixir versions that a gear pins
// in its asdf .tool-versions file. In a gear that file is usually a symbolic
// link to deps/antikythera/.tool-versions, which exists only after mix
// deps.get.
package toolversions

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Versions are the versions of the two tools the elixir image installs.
type Versions struct {
	Erlang string // for example "24.3.4.13"
	Elixir string // for example "1.13.4-otp-24"
}

// Error is a problem in a .tool-versions file. Line is 1-based, or 0 when
// the problem concerns the whole file, such as a missing tool.
type Error struct {
	File    string
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Message)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// ErrDanglingSymlink is matched by the error of Load when the file is a
// symbolic link whose target does not exist.
var ErrDanglingSymlink = errors.New("symbolic link target does not exist")

// maxLineLength bounds a line so that a wrong file, such as a binary, fails
// with an error instead of filling memory. Real lines are a few dozen bytes.
const maxLineLength = 64 * 1024

// Load reads the .tool-versions file at path, following symbolic links.
func Load(path string) (Versions, error) {
	file, err := os.Open(path)
	if err != nil {
		return Versions{}, openError(path, err)
	}
	defer file.Close()

	info, err := file.Stat()
	if err != nil {
		return Versions{}, fmt.Errorf("reading %s failed: %w", path, err)
	}
	if info.IsDir() {
		return Versions{}, fmt.Errorf("%s is a directory; pass the path of the .tool-versions file", path)
	}
	return Parse(path, file)
}

// openError explains why path cannot be opened. A dangling link gets its
// own message, because deps/antikythera/.tool-versions is missing until
// mix deps.get has run.
func openError(path string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("opening %s failed: %w", path, err)
	}
	target, linkErr := os.Readlink(path)
	if linkErr != nil {
		return fmt.Errorf("%s does not exist; run the build from the root of the gear's Mix project, where .tool-versions is: %w", path, err)
	}
	return fmt.Errorf("%s is a symbolic link to %s, but %s does not exist; run mix deps.get to fetch Antikythera, which provides it: %w",
		path, target, missingTarget(path), errors.Join(ErrDanglingSymlink, err))
}

// missingTarget follows the chain of symbolic links that starts at link and
// returns the first path in it that does not exist.
func missingTarget(link string) string {
	current := link
	// Linux gives up after 40 links as well (ELOOP).
	for range 40 {
		target, err := os.Readlink(current)
		if err != nil {
			return current
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(current), target)
		}
		current = target
	}
	return current
}

// Parse reads .tool-versions lines from r. name identifies the file in
// errors.
//
// Blank lines and text from "#" to the end of a line are ignored, as are
// tools other than erlang and elixir. When a line lists several versions,
// the first one counts, as it does for asdf. A version may contain only
// ASCII letters, digits and the characters "._+-", because it becomes a
// build argument and an image label. Parse rejects a tool line without a
// version, a repeated erlang or elixir line, and a file without either of
// them. It joins all problems it finds into one error of *Error values.
func Parse(name string, r io.Reader) (Versions, error) {
	var versions Versions
	var problems []error
	firstLine := map[string]int{}

	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 4096), maxLineLength)
	lineNumber := 0
	for scanner.Scan() {
		lineNumber++
		line := scanner.Text()
		if lineNumber == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if before, _, found := strings.Cut(line, "#"); found {
			line = before
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}

		tool := fields[0]
		target := versionField(&versions, tool)
		if target == nil {
			continue
		}
		fail := func(format string, args ...any) {
			problems = append(problems, &Error{File: name, Line: lineNumber, Message: fmt.Sprintf(format, args...)})
		}
		if previous, seen := firstLine[tool]; seen {
			fail("%s is listed again (first at line %d); keep one %s line", tool, previous, tool)
			continue
		}
		firstLine[tool] = lineNumber

		if len(fields) < 2 {
			fail("%s has no version; write it as %q", tool, tool+" "+exampleVersion(tool))
			continue
		}
		if msg := checkVersion(fields[1]); msg != "" {
			fail("%s version %q %s", tool, fields[1], msg)
			continue
		}
		*target = fields[1]
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line %d is longer than %d bytes; a .tool-versions file has short text lines: %w", lineNumber+1, maxLineLength, err)
		}
		return Versions{}, fmt.Errorf("reading %s failed: %w", name, err)
	}

	problems = append(problems, missingTools(name, firstLine)...)
	if len(problems) > 0 {
		return Versions{}, errors.Join(problems...)
	}
	return versions, nil
}

// versionField returns the field of v that tool sets, or nil for other
// tools. asdf plugin names are lower case.
func versionField(v *Versions, tool string) *string {
	switch tool {
	case "erlang":
		return &v.Erlang
	case "elixir":
		return &v.Elixir
	}
	return nil
}

func exampleVersion(tool string) string {
	if tool == "erlang" {
		return "24.3.4.13"
	}
	return "1.13.4-otp-24"
}

// checkVersion returns why version is unusable as a build argument, or "".
func checkVersion(version string) string {
	switch {
	case version == "system":
		return "means the tool installed on the host; pin a release version, because the image installs the tool itself"
	case strings.HasPrefix(version, "ref:") || strings.HasPrefix(version, "path:"):
		return "is an asdf reference to a git revision or a local directory; pin a release version, because the image installs releases"
	}
	for _, c := range version {
		if !isVersionChar(c) {
			return fmt.Sprintf("contains %q; a version may contain only letters, digits, '.', '_', '+' and '-'", c)
		}
	}
	return ""
}

func isVersionChar(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '+' || c == '-'
}

// missingTools reports erlang and elixir lines that the file lacks. A tool
// with a rejected line is not reported again.
func missingTools(name string, firstLine map[string]int) []error {
	var missing []string
	for _, tool := range []string{"erlang", "elixir"} {
		if _, seen := firstLine[tool]; !seen {
			missing = append(missing, tool)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return []error{&Error{File: name, Message: fmt.Sprintf("no %s line; add one such as %q", missing[0], missing[0]+" "+exampleVersion(missing[0]))}}
	}
	return []error{&Error{File: name, Message: fmt.Sprintf("no erlang and no elixir line; add lines such as %q and %q",
		"erlang "+exampleVersion("erlang"), "elixir "+exampleVersion("elixir"))}}
}
