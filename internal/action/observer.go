package action

import (
	"fmt"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/antikythera-gear/gearimage/internal/pipeline"
	"github.com/antikythera-gear/gearimage/internal/plan"
	"github.com/antikythera-gear/gearimage/internal/report"
	"github.com/antikythera-gear/gearimage/internal/request"
)

// observer shows a run in the job log: each build in a log group, each
// problem and each failed build as an error annotation. It implements
// pipeline.Observer.
type observer struct {
	gh *githubactions.Action
	// failed is set when a build failed and its annotation was written;
	// failedImage is that build's image.
	failed      bool
	failedImage request.Target
}

// Invalid writes one error annotation per problem, titled with the input it
// concerns.
func (o *observer) Invalid(ps request.Problems) {
	for _, p := range ps {
		// ::error title=Invalid input <name>::<problem>
		o.gh.WithFieldsMap(map[string]string{"title": problemTitle(p.Key)}).Errorf("%s", p.Format(request.InputNamer))
	}
}

// problemTitle returns the annotation title of a problem with setting k.
// DOCKER_HOST and SSH_AUTH_SOCK are environment variables, not inputs.
func problemTitle(k request.Key) string {
	switch k {
	case request.KeyDockerHost:
		return "Docker Engine check failed"
	case request.KeySSHAuthSock:
		return "Invalid environment variable " + request.InputNamer(k)
	}
	return "Invalid input " + request.InputNamer(k)
}

// Note writes a line of information about a step.
func (o *observer) Note(step plan.Step, message string) {
	o.gh.Infof("%s image: %s", step.Image, request.ExpandKeys(message, request.InputNamer))
}

// Started opens the log group of a build.
func (o *observer) Started(step plan.Step) {
	// ::group::Build <image> image
	o.gh.Group(fmt.Sprintf("Build %s image", step.Image))
	o.gh.Infof("Building %s from %s (context %s)", strings.Join(step.Spec.Tags, ", "), step.Spec.Dockerfile, step.Spec.Context)
}

// Finished reports a built image and closes its log group.
func (o *observer) Finished(step plan.Step, r pipeline.Result) {
	o.gh.Infof("Built %s image in %s: %s (%s, %s)", r.Image, report.FormatDuration(r.Duration), r.ImageID, strings.Join(r.Tags, ", "), report.FormatSize(r.Size))
	// ::endgroup::
	o.gh.EndGroup()
}

// Failed closes the log group of a build and writes an error annotation
// outside it, so the annotation shows without opening the group.
func (o *observer) Failed(step plan.Step, err error, elapsed time.Duration) {
	o.gh.EndGroup()
	o.failed = true
	o.failedImage = step.Image
	// ::error title=Build of the <image> image failed::<error>
	title := fmt.Sprintf("Build of the %s image failed", step.Image)
	o.gh.WithFieldsMap(map[string]string{"title": title}).Errorf("%v (after %s)", err, report.FormatDuration(elapsed))
}
