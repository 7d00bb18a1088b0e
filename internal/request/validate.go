package request

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/distribution/reference"
)

// Validate checks the values that need nothing outside the request: the
// target, mix_env and the rules between settings, image references, the
// progress mode. It returns every problem found. Checks of files, the SSH
// agent and the engine are done in preflight.
func (r *Request) Validate() Problems {
	var ps Problems
	add := func(p Problem) { ps = append(ps, p) }

	if !slices.Contains(Targets, r.Target) {
		add(Problem{Key: KeyTarget, Value: string(r.Target), Message: "unknown target", Fix: "use one of base, elixir, gear, all"})
	}

	if r.Target.Builds(TargetGear) {
		ps = append(ps, r.validateGear()...)
	}

	if r.Target == TargetAll {
		for _, k := range []Key{KeyBaseImage, KeyElixirImage} {
			if r.explicit[k] {
				add(Problem{Key: k, Value: r.valueOf(k), Message: "cannot be set when the target is all, which builds that image itself", Fix: "unset it, or build the images one at a time"})
			}
		}
	}

	ps = append(ps, r.validateReferences()...)
	ps = append(ps, r.validateVersions()...)

	switch r.Progress {
	case progressAuto, progressTTY, progressPlain, progressQuiet:
	default:
		add(Problem{Key: KeyProgress, Value: r.Progress, Message: "unknown progress mode", Fix: "use one of " + allowedProgressAsString})
	}
	if r.noCache != "" {
		if _, err := strconv.ParseBool(r.noCache); err != nil {
			add(Problem{Key: KeyNoCache, Value: r.noCache, Message: "not a boolean", Fix: "use true or false"})
		}
	}
	return ps
}

// versionPattern matches the versions that are safe in a build arg and a
// label. asdf versions such as 1.14.0-otp-25 match it.
var versionPattern = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]*$`)

func (r *Request) validateVersions() Problems {
	if !r.Target.Builds(TargetElixir) {
		return nil
	}
	var ps Problems
	for _, v := range []struct {
		key   Key
		value string
	}{{KeyErlangVersion, r.ErlangVersion}, {KeyElixirVersion, r.ElixirVersion}} {
		if v.value != "" && !versionPattern.MatchString(v.value) {
			ps = append(ps, Problem{Key: v.key, Value: v.value, Message: "not a version: only letters, digits and . _ + - are allowed", Fix: "use a version such as 25.2.3 or 1.14.0-otp-25, or unset it to read it from {tool_versions}"})
		}
	}
	return ps
}

func (r *Request) validateGear() Problems {
	var ps Problems
	switch r.MixEnv {
	case mixEnvDev, mixEnvProd:
	case "":
		ps = append(ps, Problem{Key: KeyMixEnv, Message: "missing; the gear build needs it", Fix: "set it to dev or prod"})
	default:
		ps = append(ps, Problem{Key: KeyMixEnv, Value: r.MixEnv, Message: "must be dev or prod", Fix: "set it to dev or prod"})
	}

	if r.MixEnv == mixEnvProd {
		for _, k := range []Key{KeyAntikytheraCompileEnv, KeyAntikytheraRuntimeEnv} {
			if r.valueOf(k) == "" {
				ps = append(ps, Problem{Key: k, Message: "missing; it is required when {mix_env} is prod", Fix: "set it to the Antikythera environment name, for example dev"})
			}
		}
		if r.TestSecretFile == "" && len(r.TestSecret) == 0 {
			ps = append(ps, Problem{Key: KeyTestSecretFile, Message: "missing; mix test needs the whitebox test config when {mix_env} is prod", Fix: "set it to the path of gear_test_config.json"})
		}
	}
	if r.TestSecretFile != "" && len(r.TestSecret) != 0 {
		ps = append(ps, Problem{Key: KeyTestSecret, Value: fmt.Sprintf("<%d bytes>", len(r.TestSecret)), Message: "given together with {test_secret_file}", Fix: "set only one of the two"})
	}
	return ps
}

func (r *Request) validateReferences() Problems {
	var ps Problems
	check := func(k Key, ref string, tag bool) {
		if ref == "" {
			return
		}
		named, err := reference.ParseNormalizedNamed(ref)
		if err != nil {
			ps = append(ps, Problem{Key: k, Value: ref, Message: "not a valid image reference: " + err.Error(), Fix: "use a name such as raise-gear-local or registry.example.com/team/gear:1.2"})
			return
		}
		if _, digested := named.(reference.Digested); tag && digested {
			ps = append(ps, Problem{Key: k, Value: ref, Message: "a digest cannot be a tag of a built image", Fix: "use name or name:tag"})
		}
	}

	imageTags := []struct {
		key    Key
		image  Target
		values []string
	}{
		{KeyBaseTags, TargetBase, r.Base.Tags},
		{KeyElixirTags, TargetElixir, r.Elixir.Tags},
		{KeyGearTags, TargetGear, r.Gear.Tags},
	}
	owner := map[string]Key{}
	for _, it := range imageTags {
		if !r.Target.Builds(it.image) {
			continue
		}
		for _, tag := range it.values {
			check(it.key, tag, true)
			if other, ok := owner[tag]; ok && other != it.key {
				ps = append(ps, Problem{Key: it.key, Value: tag, Message: "also a tag in {" + string(other) + "}, so one image would take it from the other", Fix: "give each image its own tags"})
			}
			owner[tag] = it.key
		}
	}
	for _, p := range r.emptyLists {
		for _, it := range imageTags {
			if p.Key == it.key && r.Target.Builds(it.image) {
				ps = append(ps, p)
			}
		}
	}

	if r.Target == TargetElixir {
		check(KeyBaseImage, r.BaseImage, false)
	}
	if r.Target == TargetGear {
		check(KeyElixirImage, r.ElixirImage, false)
	}
	if r.Target.Builds(TargetGear) {
		check(KeyPreviousImage, r.PreviousImage, false)
	}
	return ps
}

func (r *Request) valueOf(k Key) string {
	switch k {
	case KeyBaseImage:
		return r.BaseImage
	case KeyElixirImage:
		return r.ElixirImage
	case KeyAntikytheraCompileEnv:
		return r.AntikytheraCompileEnv
	case KeyAntikytheraRuntimeEnv:
		return r.AntikytheraRuntimeEnv
	}
	return ""
}
