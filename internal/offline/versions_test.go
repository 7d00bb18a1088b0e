package offline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleDpkgStatus = `Package: erlang-base
Status: install ok installed
Priority: optional
Section: interpreters
Installed-Size: 25000
Architecture: amd64
Source: erlang
Version: 1:25.2.3+dfsg-1+deb12u4
Description: Erlang/OTP virtual machine and base applications
 The Erlang/OTP virtual machine and a subset of Erlang/OTP applications and
 libraries.

Package: erlang-base-hipe
Status: deinstall ok config-files
Version: 1:22.2.7+dfsg-1
Description: removed long ago

Package: elixir
Status: install ok installed
Architecture: all
Version: 1.14.0.dfsg-2
Description: functional meta-programming aware language
`

func TestVersionsFromDpkgStatus(t *testing.T) {
	root := machineRoot(t, map[string]string{dpkgStatusPath: sampleDpkgStatus})

	erlang, elixir, err := Versions(root)
	require.NoError(t, err)
	assert.Equal(t, "25.2.3", erlang)
	assert.Equal(t, "1.14.0", elixir)
}

func TestVersionsMissingPackage(t *testing.T) {
	root := machineRoot(t, map[string]string{dpkgStatusPath: "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n"})

	_, _, err := Versions(root)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "erlang-base is not installed")
}

func TestVersionsIgnoresRemovedPackage(t *testing.T) {
	root := machineRoot(t, map[string]string{dpkgStatusPath: "Package: erlang-base\nStatus: deinstall ok config-files\nVersion: 1:25.2.3+dfsg-1\n\nPackage: elixir\nStatus: install ok installed\nVersion: 1.14.0.dfsg-2\n"})

	_, _, err := Versions(root)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "erlang-base is not installed")
}

func TestVersionsMissingStatusFile(t *testing.T) {
	_, _, err := Versions(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "var/lib/dpkg/status")
}

func TestUpstreamVersion(t *testing.T) {
	cases := map[string]string{
		"1:25.2.3+dfsg-1+deb12u4": "25.2.3",
		"1.14.0.dfsg-2":           "1.14.0",
		"1:26.2.5.2+dfsg-1":       "26.2.5.2",
		"1.16.3-1":                "1.16.3",
		"2.39.5":                  "2.39.5",
		"1:9.2p1-2+deb12u3":       "9.2p1",
		"3.0+ds-1":                "3.0",
	}
	for debian, upstream := range cases {
		assert.Equal(t, upstream, upstreamVersion(debian), debian)
	}
}
