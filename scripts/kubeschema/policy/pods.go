package main

import (
	"fmt"
	"regexp"
	"slices"
)

// credential names must never hold a literal value: they come from Secrets.
var credential = regexp.MustCompile(`(?i)(PASSWORD|SECRET|ACCESS_KEY|TOKEN)`)

func checkObject(o object) []string {
	switch str(o, "kind") {
	case "Deployment", "StatefulSet":
		return checkPod(o, get(o, "spec", "template", "spec"), true)
	case "Job":
		return checkPod(o, get(o, "spec", "template", "spec"), false)
	case "Pod":
		return checkPod(o, get(o, "spec"), false)
	case "ServiceAccount":
		if get(o, "automountServiceAccountToken") != false {
			return []string{name(o) + ": automountServiceAccountToken must be false"}
		}
	}
	return nil
}

func checkPod(o object, spec any, longRunning bool) []string {
	var bad []string
	if get(spec, "automountServiceAccountToken") != false {
		bad = append(bad, name(o)+": pod automountServiceAccountToken must be false")
	}
	for _, c := range list(spec, "containers") {
		where := fmt.Sprintf("%s container %s", name(o), str(c, "name"))
		for _, b := range checkContainer(spec, c, longRunning) {
			bad = append(bad, where+": "+b)
		}
	}
	// Init containers run to completion before the pod starts: Kubernetes
	// refuses probes on them, so only the rest of the rules apply.
	for _, c := range list(spec, "initContainers") {
		where := fmt.Sprintf("%s init container %s", name(o), str(c, "name"))
		for _, b := range checkContainer(spec, c, false) {
			bad = append(bad, where+": "+b)
		}
	}
	return bad
}

func checkContainer(pod, c any, longRunning bool) []string {
	var bad []string
	for _, kind := range []string{"requests", "limits"} {
		for _, res := range []string{"cpu", "memory"} {
			if get(c, "resources", kind, res) == nil {
				bad = append(bad, "no "+res+" "+kind)
			}
		}
	}
	if longRunning {
		for _, p := range []string{"livenessProbe", "readinessProbe"} {
			if get(c, p) == nil {
				bad = append(bad, "no "+p)
			}
		}
	}
	bad = append(bad, checkSecurity(pod, c)...)
	for _, e := range list(c, "env") {
		if credential.MatchString(str(e, "name")) && get(e, "value") != nil {
			bad = append(bad, "credential "+str(e, "name")+" has a literal value, not a secretKeyRef")
		}
	}
	return bad
}

// checkSecurity reads each setting from the container, falling back to the
// pod where Kubernetes does (runAsNonRoot, seccompProfile).
func checkSecurity(pod, c any) []string {
	sc := get(c, "securityContext")
	psc := get(pod, "securityContext")
	var bad []string
	if get(sc, "runAsNonRoot") != true && !(get(sc, "runAsNonRoot") == nil && get(psc, "runAsNonRoot") == true) {
		bad = append(bad, "runAsNonRoot is not true")
	}
	if get(sc, "allowPrivilegeEscalation") != false {
		bad = append(bad, "allowPrivilegeEscalation is not false")
	}
	if get(sc, "readOnlyRootFilesystem") != true {
		bad = append(bad, "readOnlyRootFilesystem is not true")
	}
	if !slices.Contains(list(sc, "capabilities", "drop"), any("ALL")) {
		bad = append(bad, "capabilities do not drop ALL")
	}
	if len(list(sc, "capabilities", "add")) > 0 {
		bad = append(bad, "capabilities are added")
	}
	profile := str(sc, "seccompProfile", "type")
	if profile == "" {
		profile = str(psc, "seccompProfile", "type")
	}
	if profile != "RuntimeDefault" {
		bad = append(bad, "seccompProfile is not RuntimeDefault")
	}
	return bad
}
