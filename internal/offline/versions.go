package offline

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// dpkgStatusPath is the path of dpkg's database of installed packages,
// relative to the root of a tree.
const dpkgStatusPath = "var/lib/dpkg/status"

// Versions reads the Erlang/OTP and Elixir versions installed in the root
// filesystem dir from its dpkg status, as upstream versions without the
// Debian epoch, repack suffix and revision: dpkg's 1:25.2.3+dfsg-1+deb12u4
// becomes 25.2.3. Erlang's version is that of the erlang-base package.
func Versions(dir string) (erlang, elixir string, err error) {
	statusFile := filepath.Join(dir, dpkgStatusPath)
	data, err := os.ReadFile(statusFile)
	if err != nil {
		return "", "", fmt.Errorf("read installed package versions: %w", err)
	}
	installed := installedVersions(data)

	erlangVersion, ok := installed["erlang-base"]
	if !ok {
		return "", "", fmt.Errorf("erlang-base is not installed according to %s", statusFile)
	}
	elixirVersion, ok := installed["elixir"]
	if !ok {
		return "", "", fmt.Errorf("elixir is not installed according to %s", statusFile)
	}
	return upstreamVersion(erlangVersion), upstreamVersion(elixirVersion), nil
}

// installedVersions returns the Debian version of every package whose dpkg
// status is "install ok installed".
func installedVersions(status []byte) map[string]string {
	versions := map[string]string{}
	var name, version, state string
	flush := func() {
		if name != "" && version != "" && strings.HasSuffix(state, " installed") {
			versions[name] = version
		}
		name, version, state = "", "", ""
	}

	scanner := bufio.NewScanner(bytes.NewReader(status))
	// Some fields (Description, Conffiles) are long, but no single line is
	// near 1 MiB.
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" {
			flush()
			continue
		}
		if value, ok := strings.CutPrefix(line, "Package: "); ok {
			name = strings.TrimSpace(value)
		} else if value, ok := strings.CutPrefix(line, "Version: "); ok {
			version = strings.TrimSpace(value)
		} else if value, ok := strings.CutPrefix(line, "Status: "); ok {
			state = strings.TrimSpace(value)
		}
	}
	flush()
	return versions
}

// upstreamVersion strips from a Debian version the epoch ("1:"), the Debian
// revision (from the last "-") and a repack suffix such as "+dfsg" or ".dfsg"
// that marks a tarball Debian rebuilt without non-free files.
func upstreamVersion(debianVersion string) string {
	version := debianVersion
	if epoch, rest, ok := strings.Cut(version, ":"); ok && isDigits(epoch) {
		version = rest
	}
	if i := strings.LastIndex(version, "-"); i >= 0 {
		version = version[:i]
	}
	for _, marker := range []string{"+dfsg", ".dfsg", "~dfsg", "+ds", ".ds", "~ds", "+repack", "~repack"} {
		if i := strings.Index(version, marker); i > 0 {
			version = version[:i]
		}
	}
	return version
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
