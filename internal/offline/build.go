// Package offline builds the root filesystem of an elixir image from Debian's
// packages with debootstrap, for machines that cannot pull images from a
// registry. The engine imports the tree from Tar with the image settings from
// Changes and the version labels from Versions.
package offline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultSuite is the Debian release that Build installs when Options.Suite
// is empty.
const DefaultSuite = "bookworm"

// DefaultPackages are the packages that Build installs when Options.Packages
// is nil. Debian's elixir package pulls in the smallest set of Erlang
// packages with which mix new, mix compile, mix test and Logger work. Git,
// openssh-client and ca-certificates let mix deps.get fetch git
// dependencies.
var DefaultPackages = []string{"elixir", "git", "openssh-client", "ca-certificates", "bash"}

// localePackage is always installed because Build generates the
// en_US.UTF-8 locale with it.
const localePackage = "locales"

// Options configure Build.
type Options struct {
	// Dir is the directory the root filesystem is built in. It must be
	// missing or empty.
	Dir string
	// Suite is the Debian release to install; empty means DefaultSuite.
	Suite string
	// Mirror is the URL of the Debian archive; empty means the result of
	// Mirror(os.Getenv).
	Mirror string
	// Packages are installed on top of debootstrap's minbase variant; nil
	// means DefaultPackages. The locales package is always added.
	Packages []string
	// Stdout and Stderr receive the output of debootstrap and of the
	// commands run in the tree; nil discards it.
	Stdout io.Writer
	Stderr io.Writer
}

// Build creates a Debian root filesystem for an elixir image in opts.Dir:
// debootstrap's minbase variant with opts.Packages, the user batch (uid and
// gid 501, HOME /home/batch, shell /bin/bash), the en_US.UTF-8 locale, and
// no apt package lists or caches. It must run as root, with the debootstrap
// and chroot commands installed.
//
// On failure the tree stays in opts.Dir for inspection; debootstrap keeps its
// log in debootstrap/debootstrap.log there.
func Build(ctx context.Context, opts Options) (err error) {
	opts, err = withDefaults(opts)
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return errors.New("building a root filesystem with debootstrap needs root")
	}
	if err := checkEmptyDir(opts.Dir); err != nil {
		return err
	}
	for _, command := range []string{"debootstrap", "chroot"} {
		if _, err := exec.LookPath(command); err != nil {
			return fmt.Errorf("%s not found: install it with apt-get install %s", command, packageOf(command))
		}
	}

	runner := &commandRunner{stdout: opts.Stdout, stderr: opts.Stderr}
	// debootstrap mounts /proc and /sys in the tree while it installs. When
	// it is killed (ctx cancelled) those mounts stay, so detach them.
	defer func() {
		if unmountErr := unmountUnder(opts.Dir); unmountErr != nil && err == nil {
			err = unmountErr
		}
	}()

	packages := strings.Join(opts.Packages, ",")
	err = runner.run(ctx, "debootstrap", "--variant=minbase", "--include="+packages, opts.Suite, opts.Dir, opts.Mirror)
	if err != nil {
		return fmt.Errorf("debootstrap %s from %s into %s: %w (its log is %s)",
			opts.Suite, opts.Mirror, opts.Dir, err, filepath.Join(opts.Dir, "debootstrap", "debootstrap.log"))
	}

	if err := addBatchUser(ctx, runner, opts.Dir); err != nil {
		return err
	}
	if err := setUpLocale(ctx, runner, opts.Dir); err != nil {
		return err
	}
	return cleanTree(opts.Dir)
}

func withDefaults(opts Options) (Options, error) {
	if opts.Dir == "" {
		return opts, errors.New("no directory given for the root filesystem")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return opts, err
	}
	opts.Dir = dir

	if opts.Suite == "" {
		opts.Suite = DefaultSuite
	}
	if opts.Mirror == "" {
		opts.Mirror, err = Mirror(os.Getenv)
		if err != nil {
			return opts, err
		}
	}

	packages := DefaultPackages
	if opts.Packages != nil {
		packages = opts.Packages
	}
	packages = slices.Clone(packages)
	if !slices.Contains(packages, localePackage) {
		packages = append(packages, localePackage)
	}
	opts.Packages = packages
	return opts, nil
}

func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: debootstrap needs a missing or empty directory", dir)
	}
	return nil
}

func packageOf(command string) string {
	if command == "chroot" {
		return "coreutils"
	}
	return command
}

// chrootEnv is the whole environment of the commands run in the tree, so
// nothing of the caller's environment leaks in.
var chrootEnv = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root"}

func addBatchUser(ctx context.Context, runner *commandRunner, dir string) error {
	// useradd warns that uid 501 is below UID_MIN (1000); the original
	// images use 501, and the warning changes nothing.
	commands := [][]string{
		{"groupadd", "--gid", "501", imageUser},
		{"useradd", "--uid", "501", "--gid", "501", "--create-home", "--home-dir", imageHome, "--shell", "/bin/bash", imageUser},
	}
	for _, command := range commands {
		if err := runner.runIn(ctx, dir, command...); err != nil {
			return fmt.Errorf("create user %s in %s: %w", imageUser, dir, err)
		}
	}
	return nil
}

// setUpLocale enables en_US.UTF-8 in /etc/locale.gen, generates it and makes
// it the default. The generated locale takes about 3 MB.
func setUpLocale(ctx context.Context, runner *commandRunner, dir string) error {
	localeGen := filepath.Join(dir, "etc/locale.gen")
	data, err := os.ReadFile(localeGen)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(localeGen, enableLocale(data, "en_US.UTF-8 UTF-8"), 0o644); err != nil {
		return err
	}
	if err := runner.runIn(ctx, dir, "locale-gen"); err != nil {
		return fmt.Errorf("generate locale %s in %s: %w", imageLocale, dir, err)
	}
	return os.WriteFile(filepath.Join(dir, "etc/default/locale"), []byte("LANG="+imageLocale+"\n"), 0o644)
}

// enableLocale uncomments entry in the contents of /etc/locale.gen, or
// appends it when no line has it.
func enableLocale(localeGen []byte, entry string) []byte {
	lines := strings.Split(string(localeGen), "\n")
	for i, line := range lines {
		uncommented := strings.TrimSpace(strings.TrimLeft(line, "# "))
		if uncommented == entry {
			lines[i] = entry
			return []byte(strings.Join(lines, "\n"))
		}
	}
	text := string(localeGen)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return []byte(text + entry + "\n")
}

// cleanTree removes apt's package lists and caches, which an image does not
// need, and empties the copies of the building machine's /etc/resolv.conf and
// /etc/hostname that debootstrap made: the engine provides both in a
// container.
func cleanTree(dir string) error {
	for _, pattern := range []string{
		"var/lib/apt/lists/*",
		"var/cache/apt/*.bin",
		"var/cache/apt/archives/*.deb",
		"var/cache/apt/archives/partial/*",
	} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return err
		}
		for _, path := range matches {
			if err := os.RemoveAll(path); err != nil {
				return fmt.Errorf("clean apt caches: %w", err)
			}
		}
	}
	for _, file := range []string{"etc/resolv.conf", "etc/hostname"} {
		err := os.Truncate(filepath.Join(dir, file), 0)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// commandRunner runs commands with their output sent to stdout and stderr,
// and keeps the end of it for error messages.
type commandRunner struct {
	stdout io.Writer
	stderr io.Writer
}

// outputTailSize is how much of a failed command's output goes into its
// error.
const outputTailSize = 2048

func (r *commandRunner) run(ctx context.Context, name string, args ...string) error {
	return r.runWithEnv(ctx, nil, name, args...)
}

// runIn runs a command inside the tree dir with chroot.
func (r *commandRunner) runIn(ctx context.Context, dir string, command ...string) error {
	return r.runWithEnv(ctx, chrootEnv, "chroot", append([]string{dir}, command...)...)
}

func (r *commandRunner) runWithEnv(ctx context.Context, env []string, name string, args ...string) error {
	tail := &tailBuffer{max: outputTailSize}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	// debootstrap runs dpkg and maintainer scripts as children. A process
	// group of their own lets a cancelled ctx kill all of them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdout = io.MultiWriter(orDiscard(r.stdout), tail)
	cmd.Stderr = io.MultiWriter(orDiscard(r.stderr), tail)
	if err := cmd.Run(); err != nil {
		if output := strings.TrimSpace(tail.String()); output != "" {
			return fmt.Errorf("%s failed: %w; output ends with:\n%s", name, err, output)
		}
		return fmt.Errorf("%s failed: %w", name, err)
	}
	return nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tailBuffer keeps the last max bytes written to it. Stdout and stderr of a
// command write to it from two goroutines.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = bytes.Clone(b.buf[len(b.buf)-b.max:])
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
