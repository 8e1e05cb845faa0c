#!/usr/bin/env bash
# Builds the real tools the engine tests run (test/control-plane.test.ts), from the Go module proxy, at pinned
# versions, into a cache outside the repo: $ANALYTICS_TOOLCHAIN_DIR, else ~/.cache/analytics-platform/toolchain.
#   kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver
#   kube-controller-manager  k8s.io/kubernetes/cmd/kube-controller-manager (namespace deletion, garbage collection)
#   kubectl         k8s.io/kubernetes/cmd/kubectl, the same version as the server
#   etcd            go.etcd.io/etcd/server/v3/etcdmain, behind a two-line main
#   pulumi          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#   pulumi-resource-kubernetes  github.com/pulumi/pulumi-kubernetes/provider/v4
# Each tool is built in a small wrapper module of its own, because `go install pkg@version` refuses modules whose
# go.mod has replace directives (k8s.io/kubernetes points its staging modules at ./staging; pulumi/pkg points its
# SDK at ../sdk). The wrapper replaces each of those with its published module at the matching version instead.
# Writes $dir/toolchain.json: each tool's path, or the exact error that stopped it. A tool that fails does not stop
# the others; the script exits 0 when the control plane (etcd, kube-apiserver, kube-controller-manager and kubectl) is built.
set -uo pipefail

kubernetes_version="v1.35.4"           # k8s.io/kubernetes; its staging modules are v0.35.4
etcd_version="v3.6.5"                  # the etcd that k8s.io/kubernetes v1.35.4's go.mod requires
pulumi_version="v3.276.0"              # newest pkg/v3 served; the CLI is newer than the @pulumi/pulumi SDK it runs
kubernetes_provider_version="v4.0.0-20260115033456-f47bc2d6f199"  # the only provider/v4 version the proxy serves

dir="${ANALYTICS_TOOLCHAIN_DIR:-$HOME/.cache/analytics-platform/toolchain}"
mkdir -p "$dir/bin" "$dir/src" "$dir/logs"
export GOFLAGS="-mod=mod" CGO_ENABLED=0
results=()

# build NAME MODULE@VERSION PACKAGE [REPLACE...]: a wrapper module that requires MODULE and builds PACKAGE.
build() {
  local name="$1" require="$2" package="$3"; shift 3
  local src="$dir/src/$name" log="$dir/logs/$name.log" stamp="$dir/bin/$name.version"
  local want="$require ${LDFLAGS:-}"
  if [ -x "$dir/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    results+=("\"$name\": {\"path\": \"$dir/bin/$name\", \"version\": \"${require#*@}\"}"); return 0
  fi
  rm -rf "$src" && mkdir -p "$src"
  local start=$SECONDS
  (
    cd "$src" && go mod init "toolchain.local/$name" >/dev/null 2>&1 &&
    for replace in "$@"; do go mod edit -replace "$replace"; done &&
    go get "$require" &&
    if [ -n "${PREPARE:-}" ]; then eval "$PREPARE"; fi &&
    # A main package of the dependency itself is built as is; tidy would drop the requirement (no source imports it).
    if [ -n "${MAIN_GO:-}" ]; then printf '%s\n' "$MAIN_GO" > main.go && go mod tidy; fi &&
    go build -trimpath -ldflags "-s -w ${LDFLAGS:-}" -o "$dir/bin/$name" "$package"
  ) > "$log" 2>&1
  local rc=$? seconds=$((SECONDS - start))
  if [ $rc -eq 0 ]; then
    echo "$want" > "$stamp"
    results+=("\"$name\": {\"path\": \"$dir/bin/$name\", \"version\": \"${require#*@}\", \"buildSeconds\": $seconds}")
    echo "built $name ($require) in ${seconds}s" >&2
  else
    local error; error="$(grep -m1 -E 'error|Forbidden|cannot|not available|invalid' "$log" | sed 's/\\/\\\\/g; s/"/\\"/g')"
    results+=("\"$name\": {\"error\": \"${error:-see $log}\", \"version\": \"${require#*@}\", \"log\": \"$log\"}")
    echo "could not build $name ($require) in ${seconds}s: ${error:-see $log}" >&2
  fi
  return $rc
}

staging_version="v0${kubernetes_version#v1}"
go mod download -json "k8s.io/kubernetes@$kubernetes_version" > "$dir/logs/kubernetes-download.json" 2>&1
kubernetes_dir="$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$dir/logs/kubernetes-download.json")"
staging_replaces=()
if [ -n "$kubernetes_dir" ]; then
  while read -r module; do staging_replaces+=("$module=$module@$staging_version"); done < <(
    sed -n 's#^\s*\(k8s.io/[a-z-]*\) => ./staging/src/.*#\1#p' "$kubernetes_dir/go.mod")
fi
control_plane=0
# The version the server reports (discovery, kubectl, the provider's feature checks) comes from these ldflags.
kubernetes_minor="${kubernetes_version#v1.}"; kubernetes_minor="${kubernetes_minor%%.*}"
kubernetes_ldflags="-X k8s.io/component-base/version.gitVersion=$kubernetes_version \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$kubernetes_minor"
for command in kube-apiserver kube-controller-manager kubectl; do
  MAIN_GO="" LDFLAGS="$kubernetes_ldflags" build "$command" "k8s.io/kubernetes@$kubernetes_version" \
    "k8s.io/kubernetes/cmd/$command" "${staging_replaces[@]}" || control_plane=1
done
MAIN_GO='package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }' LDFLAGS="" build etcd "go.etcd.io/etcd/server/v3@$etcd_version" . || control_plane=1
MAIN_GO="" LDFLAGS="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version" \
  build pulumi "github.com/pulumi/pulumi/pkg/v3@$pulumi_version" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "github.com/pulumi/pulumi/sdk/v3=github.com/pulumi/pulumi/sdk/v3@$pulumi_version"
# The provider's own main embeds schema-embed.json, which its go:generate step writes and the module does not
# ship (pulumi-kubernetes provider/cmd/pulumi-resource-kubernetes/main.go); this main embeds the shipped
# schema.json and terraform-mapping.json instead, and serves the provider the same way. Its go.mod points its SDK
# at ../sdk and requires sdk/v4 v4.24.0: that published version, whose own pulumi/sdk/v3 (v3.205.0) is older than
# the provider's v3.215.0, so pkg/v3 and sdk/v3 stay the matching pair the provider was built with (a newer sdk/v4
# pulls sdk/v3 ahead of pkg/v3, and pkg/v3 v3.215.0 then fails to compile against it).
PREPARE='cp "$(go list -m -f "{{.Dir}}" github.com/pulumi/pulumi-kubernetes/provider/v4)"/cmd/pulumi-resource-kubernetes/{schema,terraform-mapping}.json . && chmod u+w ./*.json' \
MAIN_GO='package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() { provider.Serve("kubernetes", "'"${kubernetes_provider_version#v}"'", schema, terraformMapping) }' LDFLAGS="" \
  build pulumi-resource-kubernetes "github.com/pulumi/pulumi-kubernetes/provider/v4@$kubernetes_provider_version" . \
  "github.com/pulumi/pulumi-kubernetes/sdk/v4=github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.24.0"

{ echo "{"; (IFS=$'\n'; echo "${results[*]}" | sed '$!s/$/,/'); echo "}"; } > "$dir/toolchain.json"
echo "$dir/toolchain.json"
exit $control_plane
