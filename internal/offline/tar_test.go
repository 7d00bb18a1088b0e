package offline

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readTar reads the whole archive into headers and contents by name.
func readTar(t *testing.T, r io.Reader) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	headers := map[string]*tar.Header{}
	contents := map[string]string{}
	tr := tar.NewReader(r)
	for {
		header, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return headers, contents
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		headers[header.Name] = header
		contents[header.Name] = string(data)
	}
}

func TestTarKeepsModesOwnersAndLinks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "usr/bin"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "home/batch"), 0o750))
	require.NoError(t, os.Chown(filepath.Join(dir, "home/batch"), 501, 501))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "usr/bin/elixir"), []byte("#!/bin/sh\necho elixir\n"), 0o755))
	require.NoError(t, os.Link(filepath.Join(dir, "usr/bin/elixir"), filepath.Join(dir, "usr/bin/elixir-hardlink")))
	require.NoError(t, os.Symlink("elixir", filepath.Join(dir, "usr/bin/mix-symlink")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "usr/bin/su"), []byte("setuid"), 0o644))
	require.NoError(t, os.Chmod(filepath.Join(dir, "usr/bin/su"), 0o755|os.ModeSetuid))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "tmp"), 0o755))
	require.NoError(t, os.Chmod(filepath.Join(dir, "tmp"), 0o777|os.ModeSticky))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "home/batch/.profile"), []byte("export X=1\n"), 0o600))
	require.NoError(t, os.Chown(filepath.Join(dir, "home/batch/.profile"), 501, 501))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644))

	reader := Tar(dir)
	headers, contents := readTar(t, reader)
	require.NoError(t, reader.Close())

	elixir := headers["usr/bin/elixir"]
	require.NotNil(t, elixir)
	assert.Equal(t, byte(tar.TypeReg), elixir.Typeflag)
	assert.EqualValues(t, 0o755, elixir.Mode&0o7777)
	assert.Equal(t, "#!/bin/sh\necho elixir\n", contents["usr/bin/elixir"])

	hardlink := headers["usr/bin/elixir-hardlink"]
	require.NotNil(t, hardlink)
	assert.Equal(t, byte(tar.TypeLink), hardlink.Typeflag)
	assert.Equal(t, "usr/bin/elixir", hardlink.Linkname)
	assert.Empty(t, contents["usr/bin/elixir-hardlink"])

	symlink := headers["usr/bin/mix-symlink"]
	require.NotNil(t, symlink)
	assert.Equal(t, byte(tar.TypeSymlink), symlink.Typeflag)
	assert.Equal(t, "elixir", symlink.Linkname)

	assert.EqualValues(t, 0o4755, headers["usr/bin/su"].Mode&0o7777, "setuid bit")
	assert.EqualValues(t, 0o1777, headers["tmp/"].Mode&0o7777, "sticky bit")
	assert.Equal(t, byte(tar.TypeDir), headers["tmp/"].Typeflag)

	home := headers["home/batch/"]
	require.NotNil(t, home)
	assert.Equal(t, 501, home.Uid)
	assert.Equal(t, 501, home.Gid)
	assert.Empty(t, home.Uname, "owner names of the building machine must not leak in")
	assert.EqualValues(t, 0o750, home.Mode&0o7777)

	profile := headers["home/batch/.profile"]
	require.NotNil(t, profile)
	assert.Equal(t, 501, profile.Uid)
	assert.EqualValues(t, 0o600, profile.Mode&0o7777)

	assert.Contains(t, headers, "empty")
	assert.NotContains(t, headers, "./")
	assert.NotContains(t, headers, "")
}

func TestTarEmptiesProcSysDev(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"proc/1", "sys/kernel", "dev/pts", "etc"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dev/null-copy"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "proc/cpuinfo"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "etc/devices"), []byte("kept"), 0o644))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "etc/fifo"), 0o600))

	reader := Tar(dir)
	headers, contents := readTar(t, reader)
	require.NoError(t, reader.Close())

	var names []string
	for name := range headers {
		names = append(names, name)
	}
	assert.ElementsMatch(t, []string{"proc/", "sys/", "dev/", "etc/", "etc/devices", "etc/fifo"}, names)
	assert.Equal(t, "kept", contents["etc/devices"])
	assert.Equal(t, byte(tar.TypeFifo), headers["etc/fifo"].Typeflag)
}

func TestTarMissingDirectoryFailsReader(t *testing.T) {
	reader := Tar(filepath.Join(t.TempDir(), "missing"))
	_, err := io.ReadAll(reader)
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)
	require.NoError(t, reader.Close())
}

func TestTarCloseBeforeEnd(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 50; i++ {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%02d", i)), make([]byte, 64*1024), 0o644))
	}

	reader := Tar(dir)
	buffer := make([]byte, 1024)
	_, err := io.ReadFull(reader, buffer)
	require.NoError(t, err)
	require.NoError(t, reader.Close())

	_, err = reader.Read(buffer)
	assert.ErrorIs(t, err, io.ErrClosedPipe)
}
