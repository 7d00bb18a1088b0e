package offline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// machineRoot creates a root directory with the given files, by path
// relative to the root.
func machineRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return root
}

func noEnv(string) string { return "" }

const bookwormOSRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"

func TestMirrorSettingComesFirst(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/apt/sources.list": "deb http://archive.example.invalid/debian bookworm main\n",
	})
	getenv := func(name string) string {
		if name == MirrorEnv {
			return " http://setting.example.invalid/debian/ "
		}
		return ""
	}

	mirror, err := mirrorFrom(getenv, root)
	require.NoError(t, err)
	assert.Equal(t, "http://setting.example.invalid/debian", mirror)
}

func TestMirrorSettingInvalid(t *testing.T) {
	for _, value := range []string{"archive.example.invalid/debian", "cdrom:/media/debian", "http:///debian", "file://"} {
		getenv := func(string) string { return value }
		_, err := mirrorFrom(getenv, t.TempDir())
		require.Error(t, err, value)
		assert.Contains(t, err.Error(), "invalid DEBIAN_MIRROR", value)
	}
}

func TestMirrorDeb822SkipsSecurity(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/os-release": bookwormOSRelease,
		"etc/apt/sources.list.d/debian.sources": `Types: deb
# http://snapshot.example.invalid/archive/debian-security/20250520T000000Z
URIs: http://archive.example.invalid/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://archive.example.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`,
	})

	mirror, err := mirrorFrom(noEnv, root)
	require.NoError(t, err)
	assert.Equal(t, "http://archive.example.invalid/debian", mirror)
}

func TestMirrorOneLineFormat(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/apt/sources.list": `# deb http://commented.example.invalid/debian bookworm main
deb-src http://source.example.invalid/debian bookworm main
deb http://security.example.invalid/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] https://archive.example.invalid/debian/ bookworm main contrib # trailing comment
`,
	})

	mirror, err := mirrorFrom(noEnv, root)
	require.NoError(t, err)
	assert.Equal(t, "https://archive.example.invalid/debian", mirror)
}

func TestMirrorSkipsThirdPartyAndDisabled(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/os-release":                       bookwormOSRelease,
		"etc/apt/sources.list.d/a-vendor.list": "deb [signed-by=/usr/share/keyrings/vendor.gpg] https://apt.vendor.example.invalid/apt cloud-sdk main\n",
		"etc/apt/sources.list.d/b-nodesource.sources": `Types: deb
URIs: https://nodejs.example.invalid/node_20.x
Suites: nodistro
Components: main
Signed-By: /usr/share/keyrings/nodesource.gpg
`,
		"etc/apt/sources.list.d/c-disabled.sources": `Types: deb
URIs: http://disabled.example.invalid/debian
Suites: bookworm
Components: main
Enabled: no
`,
		"etc/apt/sources.list.d/c-disabled.sources.bak": `Types: deb
URIs: http://backup-file.example.invalid/debian
Suites: bookworm
`,
		"etc/apt/sources.list.d/d-backports.sources": `Types: deb
URIs: http://backports.example.invalid/debian
Suites: bookworm-backports
`,
		"etc/apt/sources.list.d/e-local.sources": `Types: deb
URIs: http://local-mirror.example.invalid/pub/os
Suites: bookworm
Components: main
`,
	})

	mirror, err := mirrorFrom(noEnv, root)
	require.NoError(t, err)
	assert.Equal(t, "http://local-mirror.example.invalid/pub/os", mirror,
		"only the last source serves the machine's release from a Debian archive")
}

func TestMirrorSourcesListBeforeSourcesListD(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/apt/sources.list":                  "deb http://first.example.invalid/debian bookworm main\n",
		"etc/apt/sources.list.d/debian.sources": "Types: deb\nURIs: http://second.example.invalid/debian\nSuites: bookworm\n",
	})

	mirror, err := mirrorFrom(noEnv, root)
	require.NoError(t, err)
	assert.Equal(t, "http://first.example.invalid/debian", mirror)
}

func TestMirrorDeb822ContinuationAndCase(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/apt/sources.list.d/debian.sources": `types: deb deb-src
uris:
 http://archive.example.invalid/debian
suites: trixie
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBF...
 -----END PGP PUBLIC KEY BLOCK-----
`,
	})

	mirror, err := mirrorFrom(noEnv, root)
	require.NoError(t, err)
	assert.Equal(t, "http://archive.example.invalid/debian", mirror)
}

func TestMirrorNoneFound(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"etc/apt/sources.list": "deb http://security.example.invalid/debian-security bookworm-security main\n",
	})

	_, err := mirrorFrom(noEnv, root)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DEBIAN_MIRROR")
	assert.Contains(t, err.Error(), "/etc/apt/sources.list")
	assert.Contains(t, err.Error(), "/etc/apt/sources.list.d/*.sources")
}

func TestMirrorNoAptDirectory(t *testing.T) {
	_, err := mirrorFrom(noEnv, t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no Debian archive found")
}

func TestMirrorOfThisMachine(t *testing.T) {
	mirror, err := Mirror(noEnv)
	require.NoError(t, err, "this machine's apt sources list no Debian archive")
	assert.NoError(t, validateMirrorURL(mirror))
}
