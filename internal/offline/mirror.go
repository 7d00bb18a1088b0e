package offline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MirrorEnv is the setting that names the Debian archive to debootstrap
// from, for example http://mirror.example.invalid/debian.
const MirrorEnv = "DEBIAN_MIRROR"

// Mirror returns the URL of the Debian archive to debootstrap from.
//
// The DEBIAN_MIRROR setting, read with getenv, comes first. Without it,
// Mirror reads the machine's apt sources in the order apt does:
// /etc/apt/sources.list, then the *.list and *.sources files of
// /etc/apt/sources.list.d by name. It reads both the one-line and the deb822
// format. It returns the URI of the first enabled binary ("deb") source that
// is the main Debian archive (see isDebianArchive), so security, updates and
// backports suites do not count.
func Mirror(getenv func(string) string) (string, error) {
	return mirrorFrom(getenv, "/")
}

// mirrorFrom is Mirror for a machine whose root directory is root, so tests
// can give it their own apt sources and os-release.
func mirrorFrom(getenv func(string) string, root string) (string, error) {
	if value := strings.TrimSpace(getenv(MirrorEnv)); value != "" {
		if err := validateMirrorURL(value); err != nil {
			return "", fmt.Errorf("invalid %s %q: %w", MirrorEnv, value, err)
		}
		return strings.TrimSuffix(value, "/"), nil
	}

	sources, err := readAptSources(root)
	if err != nil {
		return "", err
	}
	codename := readCodename(filepath.Join(root, "etc/os-release"))
	for _, source := range sources {
		for _, uri := range source.uris {
			if isDebianArchive(source, uri, codename) {
				return strings.TrimSuffix(uri, "/"), nil
			}
		}
	}
	return "", fmt.Errorf("no Debian archive found: set %s to the archive URL (for example http://<mirror>/debian), "+
		"or list the archive as a deb source in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources", MirrorEnv)
}

func validateMirrorURL(value string) error {
	u, err := url.Parse(value)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "http", "https", "ftp":
		if u.Host == "" {
			return errors.New("the URL has no host")
		}
	case "file":
		if u.Path == "" {
			return errors.New("the URL has no path")
		}
	default:
		return errors.New("debootstrap needs an http, https, ftp or file URL")
	}
	return nil
}

// aptSource is one entry of apt's sources: a one-line `deb` line or a deb822
// paragraph.
type aptSource struct {
	file       string
	types      []string
	uris       []string
	suites     []string
	components []string
	signedBy   string
	enabled    bool
}

// readAptSources reads the apt sources of the machine rooted at root. Missing
// files are skipped, unreadable ones are an error.
func readAptSources(root string) ([]aptSource, error) {
	aptDir := filepath.Join(root, "etc/apt")
	files := []string{filepath.Join(aptDir, "sources.list")}

	entries, err := os.ReadDir(filepath.Join(aptDir, "sources.list.d"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read apt sources: %w", err)
	}
	var names []string
	for _, entry := range entries {
		name := entry.Name()
		if strings.HasSuffix(name, ".list") || strings.HasSuffix(name, ".sources") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		files = append(files, filepath.Join(aptDir, "sources.list.d", name))
	}

	var sources []aptSource
	for _, file := range files {
		data, err := os.ReadFile(file)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read apt sources: %w", err)
		}
		if strings.HasSuffix(file, ".sources") {
			sources = append(sources, parseDeb822Sources(file, data)...)
		} else {
			sources = append(sources, parseOneLineSources(file, data)...)
		}
	}
	return sources, nil
}

// parseOneLineSources parses the one-line format:
//
//	deb [option=value ...] uri suite [component ...]
func parseOneLineSources(file string, data []byte) []aptSource {
	var sources []aptSource
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		line, _, _ := strings.Cut(scanner.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 3 {
			continue
		}

		source := aptSource{file: file, types: fields[:1], enabled: true}
		rest := fields[1:]
		if strings.HasPrefix(rest[0], "[") {
			var options []string
			for len(rest) > 0 {
				option := rest[0]
				rest = rest[1:]
				options = append(options, strings.Trim(option, "[]"))
				if strings.HasSuffix(option, "]") {
					break
				}
			}
			for _, option := range options {
				if key, value, ok := strings.Cut(option, "="); ok && strings.EqualFold(key, "signed-by") {
					source.signedBy = value
				}
			}
		}
		if len(rest) < 2 {
			continue
		}
		source.uris = rest[:1]
		source.suites = rest[1:2]
		source.components = rest[2:]
		sources = append(sources, source)
	}
	return sources
}

// parseDeb822Sources parses the deb822 format: paragraphs of `Field: value`
// lines, separated by blank lines, where a line starting with a space or tab
// continues the field above it.
func parseDeb822Sources(file string, data []byte) []aptSource {
	var sources []aptSource
	fields := map[string]string{}
	lastKey := ""

	flush := func() {
		if len(fields) > 0 {
			sources = append(sources, aptSource{
				file:       file,
				types:      strings.Fields(fields["types"]),
				uris:       strings.Fields(fields["uris"]),
				suites:     strings.Fields(fields["suites"]),
				components: strings.Fields(fields["components"]),
				signedBy:   fields["signed-by"],
				enabled:    !strings.EqualFold(strings.TrimSpace(fields["enabled"]), "no"),
			})
		}
		fields = map[string]string{}
		lastKey = ""
	}

	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if lastKey != "" {
				fields[lastKey] += "\n" + strings.TrimSpace(line)
			}
		default:
			key, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			lastKey = strings.ToLower(strings.TrimSpace(key))
			fields[lastKey] = strings.TrimSpace(value)
		}
	}
	flush()
	return sources
}

// isDebianArchive reports whether uri of source is the main Debian archive.
// That is an enabled binary source with an http, https, ftp or file URL that
// serves a release suite, not only security, updates or backports. It must
// also look like Debian: its URL path ends in /debian, it is signed with the
// Debian archive keyring, or it serves the machine's own release codename.
func isDebianArchive(source aptSource, uri, codename string) bool {
	if !source.enabled || !containsFold(source.types, "deb") {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || validateMirrorURL(uri) != nil {
		return false
	}
	if strings.Contains(u.Path, "debian-security") {
		return false
	}

	servesRelease := false
	for _, suite := range source.suites {
		if !isAuxiliarySuite(suite) {
			servesRelease = true
		}
	}
	if !servesRelease {
		return false
	}

	if strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/debian") {
		return true
	}
	if strings.Contains(source.signedBy, "debian-archive-keyring") {
		return true
	}
	return codename != "" && containsFold(source.suites, codename)
}

// isAuxiliarySuite reports whether a suite is one that complements a release
// instead of being one: security updates, stable updates, backports.
func isAuxiliarySuite(suite string) bool {
	for _, suffix := range []string{"-security", "/updates", "-updates", "-backports", "-proposed-updates"} {
		if strings.HasSuffix(suite, suffix) {
			return true
		}
	}
	return false
}

// readCodename returns VERSION_CODENAME from an os-release file, or "" when
// the file or the field is missing.
func readCodename(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		if value, ok := strings.CutPrefix(scanner.Text(), "VERSION_CODENAME="); ok {
			return strings.Trim(value, `"'`)
		}
	}
	return ""
}

func containsFold(values []string, want string) bool {
	for _, value := range values {
		if strings.EqualFold(value, want) {
			return true
		}
	}
	return false
}
