// Package targets holds the Mage targets that build and run the base,
// elixir and gear images of an Antikythera gear through the Docker Engine
// API. Import it into a gear repository's magefile with a mage:import
// comment; settings are read from environment variables, and the settings
// target lists them all.
package targets

// The directive below keeps the line breaks of the doc comments in
// mage -h TARGET, so the settings tables stay readable.
//
//mage:multiline

import (
	"context"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/tasks"
)

// Build builds the images.
type Build mg.Namespace

// Check checks settings, files and the engine without building.
type Check mg.Namespace

// Base builds the base image (OS, tools, EPUB_Converter) from docker/base.
//
// Before building, it checks that the EPUB_Converter submodule is checked
// out at the recorded commit and that the engine is reachable.
//
// Settings (environment variables):
//
//	BASE_TAGS        tags of the image, separated by commas or newlines (default raise-base-local)
//	BASE_CONTEXT     build context directory (default docker/base)
//	BASE_DOCKERFILE  Dockerfile (default BASE_CONTEXT/Dockerfile)
//	SUBMODULE        EPUB_Converter submodule path, or none to skip its check (default docker/base/EPUB_Converter)
//	PROGRESS         progress display: auto, tty, plain or quiet (default auto)
//	NO_CACHE         true to build without the build cache (default false)
//	DOCKER_HOST      engine address (default unix:///var/run/docker.sock)
func (Build) Base(ctx context.Context) error {
	return tasks.Build(ctx, tasks.OSEnv(), request.TargetBase)
}

// Elixir builds the elixir image (Erlang and Elixir) FROM the base image.
//
// The Erlang and Elixir versions are read from the gear's .tool-versions
// unless both are set, passed as build args erlang_version and
// elixir_version, and recorded as labels org.antikythera.erlang-version and
// org.antikythera.elixir-version.
//
// Settings (environment variables):
//
//	BASE_IMAGE         image to build FROM, present in the engine (default: the first of BASE_TAGS)
//	ELIXIR_TAGS        tags of the image, separated by commas or newlines (default raise-elixir-local)
//	ELIXIR_CONTEXT     build context directory (default docker/elixir)
//	ELIXIR_DOCKERFILE  Dockerfile (default ELIXIR_CONTEXT/Dockerfile)
//	ERLANG_VERSION     Erlang version (default: the erlang line of TOOL_VERSIONS)
//	ELIXIR_VERSION     Elixir version (default: the elixir line of TOOL_VERSIONS)
//	TOOL_VERSIONS      asdf .tool-versions file (default GEAR_CONTEXT/.tool-versions)
//	GEAR_CONTEXT       the gear's Mix project directory (default .)
//	PROGRESS, NO_CACHE, DOCKER_HOST as for build:base
func (Build) Elixir(ctx context.Context) error {
	return tasks.Build(ctx, tasks.OSEnv(), request.TargetElixir)
}

// Gear builds the gear image (the compiled Mix project) FROM the elixir image.
//
// mix deps.get runs with the SSH agent of SSH_AUTH_SOCK forwarded as id
// default. With MIX_ENV=prod, mix test runs first with the whitebox test
// config mounted as build secret test_secret; a db.hostname of localhost or
// a loopback address in it is rewritten to host.docker.internal, which
// resolves to this host inside the build. The secret is never written to
// disk, logged, or passed as a build arg or label.
//
// Settings (environment variables):
//
//	MIX_ENV                  dev or prod (required)
//	ANTIKYTHERA_COMPILE_ENV  ANTIKYTHERA_COMPILE_ENV of the prod compile (required when MIX_ENV=prod)
//	ANTIKYTHERA_RUNTIME_ENV  ANTIKYTHERA_RUNTIME_ENV of the prod image (required when MIX_ENV=prod)
//	TEST_SECRET_FILE         path of gear_test_config.json (required when MIX_ENV=prod)
//	TEST_SECRET              the same document as a value, instead of TEST_SECRET_FILE
//	ELIXIR_IMAGE             image to build FROM, present in the engine (default: the first of ELIXIR_TAGS)
//	PREVIOUS_IMAGE           gear or elixir image whose _build and deps are reused (default: none, build from scratch)
//	GEAR_TAGS                tags of the image, separated by commas or newlines (default raise-gear-local)
//	GEAR_CONTEXT             the Mix project directory, sent as build context (default .)
//	GEAR_DOCKERFILE          Dockerfile (default Dockerfile at the repository root)
//	SSH_AUTH_SOCK            SSH agent socket with keys for the private repositories (required)
//	PROGRESS, NO_CACHE, DOCKER_HOST as for build:base
func (Build) Gear(ctx context.Context) error {
	return tasks.Build(ctx, tasks.OSEnv(), request.TargetGear)
}

// All builds base, then elixir FROM that base, then gear FROM that elixir.
//
// Every setting of build:base, build:elixir and build:gear applies, except
// BASE_IMAGE and ELIXIR_IMAGE: the images built in this run are used, and
// setting either one is an error. Every check of the three builds runs
// before the first build starts.
func (Build) All(ctx context.Context) error {
	return tasks.Build(ctx, tasks.OSEnv(), request.TargetAll)
}

// OfflineElixir builds an elixir image from Debian's erlang and elixir packages, for machines without registry access.
//
// It makes a Debian root filesystem with debootstrap, which needs root. The
// tree has the batch user (uid 501, HOME /home/batch) and mix, elixir and
// erl on PATH, the same contract as the production elixir image. It is
// imported into the engine with the Erlang and Elixir versions as labels. An offline image
// already under that tag is kept unless NO_CACHE is true.
//
// Settings (environment variables):
//
//	ELIXIR_TAGS    tags of the image, separated by commas or newlines (default raise-elixir-local)
//	DEBIAN_SUITE   Debian release (default bookworm)
//	DEBIAN_MIRROR  Debian archive URL (default: the main archive of this machine's apt sources)
//	NO_CACHE       true to rebuild an existing offline image (default false)
//	DOCKER_HOST    engine address (default unix:///var/run/docker.sock)
func (Build) OfflineElixir(ctx context.Context) error {
	return tasks.BuildOfflineElixir(ctx, tasks.OSEnv())
}

// Sample builds the sample gear in examples/sample_gear on the offline elixir image and runs it.
//
// It runs build:offlineElixir when that image is missing, then build:gear
// with the production gear Dockerfile, GEAR_CONTEXT=examples/sample_gear and
// MIX_ENV=dev, then run:local with the example config and the command
// ./script/docker/run_sample.sh arg1 arg2. Every setting of those targets
// applies and wins over these defaults. Without SSH_AUTH_SOCK, a temporary
// agent with a throwaway key is forwarded: the sample fetches no private
// dependency.
func Sample(ctx context.Context) error {
	return tasks.Sample(ctx, tasks.OSEnv())
}

// Submodules checks that the EPUB_Converter submodule is checked out at the recorded commit.
//
// A missing, uninitialised, empty or moved submodule is reported with the
// git command that fixes it.
//
// Settings (environment variables):
//
//	SUBMODULE  submodule path (default docker/base/EPUB_Converter)
func (Check) Submodules(ctx context.Context) error {
	return tasks.CheckSubmodules(ctx, tasks.OSEnv())
}

// All runs every check of a build without building: settings, files, the SSH agent, the submodule and the engine.
//
// It checks what build:all needs, or what the build named by CHECK_TARGET
// needs, with the same settings as that target, and lists every problem
// found.
//
// Settings (environment variables):
//
//	CHECK_TARGET  base, elixir, gear or all (default all)
//	every setting of the build that is checked
func (Check) All(ctx context.Context) error {
	return tasks.Check(ctx, tasks.OSEnv())
}

// Settings lists every setting with its default and allowed values.
func Settings() {
	tasks.Settings(tasks.OSEnv())
}

// Run runs the built images.
type Run mg.Namespace

// Local runs the gear image on this machine, like AWS Batch runs it.
//
// The config file is checked (JSON with a db object and db.hostname), a
// loopback db.hostname is rewritten to host.docker.internal, which resolves
// to this host inside the container, and the compacted document is passed
// in RAISE_SERVER_CONFIG_JSON; its content is never printed. No shell runs
// the command. A terminal is attached when there is one, Ctrl-C reaches
// the container, the container is removed afterwards, and the target exits
// with the container's exit code.
//
// Settings (environment variables):
//
//	RUN_IMAGE           image to run (default: the first of GEAR_TAGS, raise-gear-local)
//	GEAR_DOCKER_CONFIG  config file (default gear_docker_config.json)
//	RUN_COMMAND         command and arguments (default ./script/docker/run_sample.sh)
//	DOCKER_HOST         engine address (default unix:///var/run/docker.sock)
func (Run) Local(ctx context.Context) error {
	return tasks.RunLocal(ctx, tasks.OSEnv(), os.Stdin)
}
