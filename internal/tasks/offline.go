package tasks

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/antikythera-gear/gearimage/internal/engine"
	"github.com/antikythera-gear/gearimage/internal/offline"
	"github.com/antikythera-gear/gearimage/internal/report"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// Settings of build:offlineElixir, besides ELIXIR_TAGS and NO_CACHE.
const (
	envDebianSuite = "DEBIAN_SUITE"
	// labelOfflineSuite marks an image built by this target, so a later
	// run can tell it apart from a production elixir image with that tag.
	labelOfflineSuite = "org.antikythera.offline-suite"
)

// BuildOfflineElixir builds an elixir image from Debian's erlang and elixir
// packages with debootstrap and imports it into the engine under the
// elixir tags. An image built by an earlier run for the same suite is kept
// unless NO_CACHE is true.
func BuildOfflineElixir(ctx context.Context, env Env) error {
	_, err := ensureOfflineElixir(ctx, env)
	return err
}

// ensureOfflineElixir returns the first elixir tag after making sure the
// offline elixir image exists.
func ensureOfflineElixir(ctx context.Context, env Env) (string, error) {
	req := request.New(request.TargetElixir, request.EnvLookup(env.Getenv))
	term := report.NewTerminal(env.Stdout, request.EnvNamer, env.Getenv)
	tag := req.Elixir.Tags[0]
	suite := env.Getenv(envDebianSuite)
	if suite == "" {
		suite = offline.DefaultSuite
	}

	var problems []string
	for _, p := range req.Validate() {
		problems = append(problems, p.Format(request.EnvNamer))
	}
	mirror, err := offline.Mirror(env.Getenv)
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", offline.MirrorEnv, err))
	}
	if os.Geteuid() != 0 {
		problems = append(problems, "debootstrap needs root: run this target as root, for example with sudo -E")
	}
	eng, err := engine.New()
	if err == nil {
		defer eng.Close()
		err = eng.Ping(ctx)
	}
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", request.KeyDockerHost.EnvName(), err))
	}

	if err == nil && !req.NoCache {
		img, ok, err := eng.InspectImage(ctx, tag)
		if err == nil && ok && img.Labels[labelOfflineSuite] == suite {
			term.Line(fmt.Sprintf("==> elixir: %s is already an offline elixir image of Debian %s (%s); NO_CACHE=true rebuilds it", tag, suite, report.ShortID(img.ID)))
			return tag, nil
		}
	}
	if len(problems) > 0 {
		term.Problems(problems, "built")
		return "", mg.Fatalf(exitInvalid, "stopped before building: %s, listed above", request.CountProblems(len(problems)))
	}

	dir, err := os.MkdirTemp("", "gearimage-rootfs-")
	if err != nil {
		return "", mg.Fatal(exitFailed, err)
	}
	// A failed debootstrap leaves its log in the tree, so the tree is
	// removed only when the image was imported.
	imported := false
	defer func() {
		if imported {
			os.RemoveAll(dir)
		} else {
			fmt.Fprintf(env.Stderr, "The root filesystem is kept in %s for inspection; remove it with rm -rf %s\n", dir, dir)
		}
	}()

	term.Line(fmt.Sprintf("==> elixir: debootstrap Debian %s with erlang and elixir into %s", suite, dir))
	start := time.Now()
	err = offline.Build(ctx, offline.Options{Dir: dir, Suite: suite, Mirror: mirror, Stdout: env.Stderr, Stderr: env.Stderr})
	if err != nil {
		return "", mg.Fatal(exitFailed, err)
	}
	erlang, elixir, err := offline.Versions(dir)
	if err != nil {
		return "", mg.Fatal(exitFailed, err)
	}

	changes := append(offline.Changes(erlang, elixir), "LABEL "+labelOfflineSuite+"="+suite)
	rootfs := offline.Tar(dir)
	defer rootfs.Close()
	id, err := eng.ImportImage(ctx, rootfs, tag, changes)
	if err != nil {
		return "", mg.Fatal(exitFailed, err)
	}
	for _, extra := range req.Elixir.Tags[1:] {
		if err := eng.TagImage(ctx, id, extra); err != nil {
			return "", mg.Fatal(exitFailed, err)
		}
	}
	imported = true
	term.Line(fmt.Sprintf("==> elixir: imported %s in %s: Erlang %s, Elixir %s (%s)", report.ShortID(id), report.FormatDuration(time.Since(start)), erlang, elixir, tag))
	return tag, nil
}
