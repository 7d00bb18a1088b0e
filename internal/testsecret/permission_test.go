package testsecret

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadHelperEnv names the variable that turns the test binary into a helper
// process, which calls Load on the file it names and prints the outcome.
const loadHelperEnv = "TESTSECRET_LOAD_HELPER_PATH"

// nobodyUID is the uid of Debian's "nobody" user. The helper only needs an
// unprivileged uid, and setuid works without a passwd entry.
const nobodyUID = 65534

func TestMain(m *testing.M) {
	if path := os.Getenv(loadHelperEnv); path != "" {
		_, err := Load(path)
		fmt.Printf("unreadable=%t permission=%t\n%v", errors.Is(err, ErrUnreadable), errors.Is(err, os.ErrPermission), err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLoadPermissionDenied checks a file with mode 000. Root reads such a
// file anyway, so as root the test runs Load in a copy of the test binary
// started with the uid of nobody.
func TestLoadPermissionDenied(t *testing.T) {
	dir, err := os.MkdirTemp("", "testsecret-permission-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	path := filepath.Join(dir, "gear_test_config.json")
	require.NoError(t, os.WriteFile(path, []byte(validDoc), 0o000))

	var message string
	if os.Geteuid() != 0 {
		_, err := Load(path)
		require.ErrorIs(t, err, ErrUnreadable)
		require.ErrorIs(t, err, os.ErrPermission)
		message = err.Error()
	} else {
		output := runLoadAsNobody(t, dir, path)
		require.Contains(t, output, "unreadable=true permission=true\n")
		message = output
		assert.Contains(t, message, fmt.Sprintf("uid %d", nobodyUID))
	}

	assert.Contains(t, message, "permission denied opening "+path)
	assertNoSecret(t, message)
}

// runLoadAsNobody copies the test binary into dir, which every user can
// enter, runs it as nobody with the helper variable set, and returns its
// standard output.
func runLoadAsNobody(t *testing.T, dir, path string) string {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	binary := filepath.Join(dir, "helper.test")
	copyExecutable(t, self, binary)

	cmd := exec.Command(binary, "-test.run=^$")
	cmd.Env = append(os.Environ(), loadHelperEnv+"="+path)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID, Groups: []uint32{}},
	}
	output, err := cmd.Output()
	require.NoError(t, err, "helper process failed: %s", output)
	return string(output)
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	source, err := os.Open(from)
	require.NoError(t, err)
	defer source.Close()
	target, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(target, source)
	require.NoError(t, err)
	require.NoError(t, target.Close())
}
