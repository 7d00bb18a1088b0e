package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/docker/docker/api/types/build"
	buildkitclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"golang.org/x/sync/errgroup"
)

// SSHID is the id under which the SSH agent is forwarded into the build, the
// one `RUN --mount=type=ssh` uses when it names none.
const SSHID = "default"

// cancelTimeout bounds the request that stops a build on the engine after
// the caller gave up on it.
const cancelTimeout = 10 * time.Second

// BuildOptions describe one image build.
type BuildOptions struct {
	// ContextDir is the directory sent as the build context. Its
	// .dockerignore decides what is left out.
	ContextDir string
	// Dockerfile is the Dockerfile's path on disk, inside ContextDir or not.
	Dockerfile string
	Tags       []string
	BuildArgs  map[string]string
	Labels     map[string]string
	// Target is the Dockerfile stage to build; empty builds the last one.
	Target string
	// Secrets are handed to BuildKit from memory by id, for
	// `RUN --mount=type=secret,id=ID`.
	Secrets map[string][]byte
	// SSHAgentSocket is the agent forwarded with id SSHID; empty forwards
	// none.
	SSHAgentSocket string
	// Exclude are files left out of the context even when .dockerignore
	// lists no pattern for them, such as a secret that must not reach a
	// COPY.
	Exclude []string
	// ExtraHosts are "name:address" entries added to /etc/hosts of RUN steps.
	ExtraHosts []string
	NoCache    bool
	// Progress is the progress display mode: auto, tty, plain or quiet.
	Progress string
	// ProgressOutput receives the progress display; nil discards it.
	ProgressOutput io.Writer
}

// BuildResult is the outcome of a successful build.
type BuildResult struct {
	ImageID  string
	Warnings []string
}

// Build builds an image with BuildKit through a session that serves the
// secrets and the SSH agent, streams the context from disk, shows progress
// like docker does, tags the image and returns its ID. When ctx is
// cancelled, the build is cancelled on the engine too and nothing is
// tagged.
//
// NOTE: an engine that was already exporting when the build was cancelled
// may still store the image, untagged; docker image prune removes it.
func (c *Client) Build(ctx context.Context, opts BuildOptions) (BuildResult, error) {
	display, err := newDisplay(opts)
	if err != nil {
		return BuildResult{}, err
	}

	sess, err := c.newSession(ctx, opts)
	if err != nil {
		return BuildResult{}, err
	}

	buildCtx, err := openContext(opts.ContextDir, opts.Dockerfile, opts.Exclude)
	if err != nil {
		return BuildResult{}, err
	}
	defer buildCtx.Close()

	buildID := randomHex(16)
	apiOpts := build.ImageBuildOptions{
		Version:     build.BuilderBuildKit,
		SessionID:   sess.ID(),
		BuildID:     buildID,
		Dockerfile:  buildCtx.dockerfile,
		BuildArgs:   stringPointers(opts.BuildArgs),
		Labels:      opts.Labels,
		Target:      opts.Target,
		ExtraHosts:  opts.ExtraHosts,
		NoCache:     opts.NoCache,
		Remove:      true,
		ForceRemove: true,
	}

	group, groupCtx := errgroup.WithContext(ctx)
	sessionCtx, stopSession := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSession()

	sessionDone := make(chan error, 1)
	go func() {
		sessionDone <- sess.Run(sessionCtx, func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return c.api.DialHijack(ctx, "/session", proto, meta)
		})
	}()
	defer func() {
		sess.Close()
		stopSession()
		<-sessionDone
	}()

	statuses := make(chan *buildkitclient.SolveStatus)
	var result BuildResult
	group.Go(func() error {
		resp, err := c.api.ImageBuild(groupCtx, buildCtx, apiOpts)
		if err != nil {
			close(statuses)
			return err
		}
		defer resp.Body.Close()

		result.ImageID, err = decodeBuildStream(resp.Body, statuses, nil)
		return err
	})
	group.Go(func() error {
		warnings, err := display.UpdateFrom(context.WithoutCancel(groupCtx), chanOf(statuses))
		for _, w := range warnings {
			result.Warnings = append(result.Warnings, string(w.Short))
		}
		return err
	})

	err = group.Wait()
	if ctx.Err() != nil {
		c.cancelBuild(buildID)
		return BuildResult{}, fmt.Errorf("build cancelled: %w", context.Cause(ctx))
	}
	if err != nil {
		return BuildResult{}, err
	}
	if result.ImageID == "" {
		return BuildResult{}, errors.New("the engine finished the build without reporting an image ID")
	}

	// The tags are set only now: an engine may finish exporting a build
	// that was cancelled late, and such an image must stay untagged.
	for _, tag := range opts.Tags {
		if ctx.Err() != nil {
			return BuildResult{}, fmt.Errorf("build cancelled: %w", context.Cause(ctx))
		}
		if err := c.TagImage(context.WithoutCancel(ctx), result.ImageID, tag); err != nil {
			return BuildResult{}, err
		}
	}
	return result, nil
}

func (c *Client) newSession(ctx context.Context, opts BuildOptions) (*session.Session, error) {
	sess, err := session.NewSession(ctx, randomHex(16))
	if err != nil {
		return nil, fmt.Errorf("create BuildKit session: %w", err)
	}
	if len(opts.Secrets) > 0 {
		sess.Allow(secretsprovider.FromMap(opts.Secrets))
	}
	if opts.SSHAgentSocket != "" {
		agent, err := sshprovider.NewSSHAgentProvider([]sshprovider.AgentConfig{{ID: SSHID, Paths: []string{opts.SSHAgentSocket}}})
		if err != nil {
			return nil, fmt.Errorf("forward SSH agent %s: %w", opts.SSHAgentSocket, err)
		}
		sess.Allow(agent)
	}
	return sess, nil
}

func (c *Client) cancelBuild(buildID string) {
	ctx, cancel := context.WithTimeout(context.Background(), cancelTimeout)
	defer cancel()
	// The build may already have stopped with the closed connection, so an
	// error here changes nothing for the caller.
	_ = c.api.BuildCancel(ctx, buildID)
}

func newDisplay(opts BuildOptions) (progressui.Display, error) {
	out := opts.ProgressOutput
	mode := progressui.DisplayMode(opts.Progress)
	if out == nil {
		out = io.Discard
		mode = progressui.QuietMode
	}
	d, err := progressui.NewDisplay(out, mode)
	if err != nil {
		return progressui.Display{}, fmt.Errorf("progress mode %q: %w", opts.Progress, err)
	}
	return d, nil
}

func chanOf(ch chan *buildkitclient.SolveStatus) chan *buildkitclient.SolveStatus { return ch }

func stringPointers(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}
