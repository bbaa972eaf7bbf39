# The sso step of scripts/cluster/test.sh (sourced by it after api.sh): the
# release upgraded with single sign-on through Dex in front of slapd, both
# in the cluster (scripts/cluster/sso.sh), and people signed in on Dex's own
# login page as a browser does it, without JavaScript: curl follows every
# redirect, reads Dex's form and posts it.
# shellcheck shell=bash

sso_password=${PL_SSO_PASSWORD:-Directory-pass-1}

# origin URL: URL's scheme://host:port.
origin() { sed -E 's#^(https?://[^/]+).*#\1#' <<<"$1"; }

# sso_signin USER PASSWORD JAR: from Patholabel's single sign-on link to
# Dex's login page, the form filled in and posted, every redirect after it
# followed, with cookies in JAR (emptied first). Sets SSO_PAGE (the login
# page's URL), SSO_STATUS and SSO_URL (the last answer's status and URL) and
# SSO_BODY (a file with its body). False when the flow broke before the form.
sso_signin() {
  local user=$1 pw=$2 jar=$3 to page action
  : >"$jar"
  SSO_PAGE="" SSO_STATUS="" SSO_URL="" SSO_BODY=${SSO_BODY:-$(mktemp)}
  : >"$SSO_BODY"
  to=$(curl -fsS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$CL_URL/api/v1/auth/oidc/login") || return 1
  if [[ $to != "$CL_ISSUER/auth?"* ]]; then
    echo "  Patholabel sent the browser to '$to', not to $CL_ISSUER/auth"
    return 1
  fi
  # Dex sends the browser on to the login page of its one connector.
  page=$(mktemp)
  SSO_PAGE=$(curl -fsS -L -c "$jar" -b "$jar" -o "$page" -w '%{url_effective}' "$to") || { rm -f "$page"; return 1; }
  action=$(grep -o '<form [^>]*action="[^"]*"' "$page" | head -n 1 | sed 's/.*action="//; s/"$//; s/&amp;/\&/g')
  if [ -z "$action" ] || ! grep -q 'name="password"' "$page"; then
    echo "  no login form at $SSO_PAGE"
    rm -f "$page"
    return 1
  fi
  rm -f "$page"
  case $action in
    http://* | https://*) ;;
    /*) action=$(origin "$SSO_PAGE")$action ;;
    *) echo "  unexpected form action '$action' at $SSO_PAGE"; return 1 ;;
  esac
  read -r SSO_STATUS SSO_URL < <(curl -sS -L -c "$jar" -b "$jar" -o "$SSO_BODY" -w '%{http_code} %{url_effective}\n' \
    --data-urlencode "login=$user" --data-urlencode "password=$pw" "$action" || true)
  echo "  $user: login page $SSO_PAGE" | cut -c1-140
  echo "  $user: after the form, $SSO_STATUS at $SSO_URL" | cut -c1-140
}

# signed_in_at_viewer USER JAR: USER signed in on Dex's page (not on
# Patholabel's origin) and ended on the viewer.
signed_in_at_viewer() {
  sso_signin "$1" "$sso_password" "$2" || return 1
  [ "$(origin "$SSO_PAGE")" = "$(origin "$CL_ISSUER")" ] && [ "$(origin "$SSO_PAGE")" != "$CL_URL" ] &&
    [ "$SSO_STATUS" = 200 ] && [ "$SSO_URL" = "$CL_URL/" ] && grep -q '<script' "$SSO_BODY"
}

# me JAR: /api/v1/auth/me with the session in JAR.
me() { curl -fsS -b "$1" "$CL_URL/api/v1/auth/me"; }

# me_is JAR JQ: /me satisfies the jq condition; prints what it says.
me_is() {
  local m
  m=$(me "$1") || return 1
  jq -c '{user: .user | {username, display_name, origin, system_role, sso_groups}, projects: [.projects[] | {project_name, role}]}' <<<"$m" |
    sed 's/^/  /'
  jq -e "$2" <<<"$m" >/dev/null
}

# ensure_project NAME: the project exists (made by admin when missing).
ensure_project() {
  api GET /api/v1/projects | jq -e --arg n "$1" 'any(.[]; .name == $n)' >/dev/null && return 0
  api POST /api/v1/projects "$(jq -nc --arg n "$1" '{name: $n, description: "named by a group rule (make test-cluster sso)"}')" >/dev/null
}

# oidc_env: the auth Deployment runs with the values' issuer and the client
# secret by reference to the Secret, never its value.
oidc_env() {
  kc -n "$CL_NS" get deploy "$(comp auth)" -o json | jq -e --arg i "$CL_ISSUER" '
    [.spec.template.spec.containers[] | select(.name == "auth") | .env[]] as $e |
    any($e[]; .name == "PATHOLABEL_OIDC_ISSUER" and .value == $i) and
    any($e[]; .name == "PATHOLABEL_OIDC_CLIENT_SECRET" and .value == null and
      .valueFrom.secretKeyRef.name == "patholabel-oidc" and .valueFrom.secretKeyRef.key == "client-secret") and
    any($e[]; .name == "PATHOLABEL_OIDC_GROUP_RULES" and (.value | fromjson | any(.[]; .group == "path-gbm-readers")))' >/dev/null
}

# audited SINCE_ID ACTION JQ: an audit entry newer than SINCE_ID with ACTION
# that satisfies JQ.
audited() {
  api GET "/api/v1/audit?action=$2&limit=100" |
    jq -e --argjson since "$1" "[.entries[] | select(.id > \$since)] | any(.[]; $3)" >/dev/null
}

# logout_ends JAR: logout answers, and afterwards the session's cookie (kept
# from before) is refused on /api.
logout_ends() {
  local csrf kept code
  csrf=$(me "$1" | jq -r .csrf_token) || return 1
  kept=$(mktemp)
  cp "$1" "$kept"
  code=$(curl -sS -b "$1" -c "$1" -o /dev/null -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" "$CL_URL/api/v1/auth/logout")
  echo "  logout answered $code"
  [ "$code" = 204 ] || [ "$code" = 200 ] || return 1
  code=$(curl -sS -b "$kept" -o /dev/null -w '%{http_code}' "$CL_URL/api/v1/auth/me")
  echo "  /api/v1/auth/me with the session cookie of before the logout: $code"
  rm -f "$kept"
  [ "$code" = 401 ]
}

# discovery_names_issuer: Dex's discovery document, asked from this host.
discovery_names_issuer() {
  curl -fsS "$CL_ISSUER/.well-known/openid-configuration" | jq -e --arg i "$CL_ISSUER" '.issuer == $i' >/dev/null
}

# lists_project JAR NAME ROLE: the session in JAR sees project NAME with ROLE.
lists_project() {
  curl -fsS -b "$1" "$CL_URL/api/v1/projects" | jq -e --arg n "$2" --arg r "$3" 'any(.[]; .name == $n and .role == $r)' >/dev/null
}

# admin_through_sso JAR: bjones signs in on Dex's page and is a system admin.
admin_through_sso() {
  signed_in_at_viewer bjones "$1" && me_is "$1" '.user.system_role == "admin" and .user.origin == "sso"'
}

# wrong_password_refused JAR: Dex answers its login page again with 401,
# and the browser has no session here.
wrong_password_refused() {
  sso_signin asmith not-her-password "$1" && [ "$SSO_STATUS" = 401 ] && [[ $SSO_URL == "$CL_ISSUER/"* ]] &&
    [ "$(curl -sS -b "$1" -o /dev/null -w '%{http_code}' "$CL_URL/api/v1/auth/me")" = 401 ]
}

# not_provisioned JAR: dkhan passes Dex's page, Patholabel's callback
# refuses her an account.
not_provisioned() {
  sso_signin dkhan "$sso_password" "$1" && [ "$SSO_STATUS" = 403 ] && grep -q 'not in a directory group' "$SSO_BODY"
}

# sso_audited SINCE_ID: the sign-ins through the provider and the refusal.
sso_audited() {
  audited "$1" login.success '.actor_name == "asmith" and .detail.via == "oidc"' &&
    audited "$1" login.success '.actor_name == "bjones" and .detail.via == "oidc"' &&
    audited "$1" login.sso_failure '.detail.reason | test("not in a directory group")'
}

step_sso() {
  section "single sign-on through Dex in front of slapd, both in the cluster (issuer $CL_ISSUER)"
  local alice bob dana since
  alice=$(mktemp) bob=$(mktemp) dana=$(mktemp)
  check "slapd and Dex Ready in namespace sso; the release upgraded with auth.oidc values pointing at Dex" "$CL_DIR/sso.sh" install
  check "auth runs with the values' issuer, group rules, and the client secret by reference to Secret patholabel-oidc" oidc_env
  check "Dex's discovery, asked from the host, names the issuer $CL_ISSUER" discovery_names_issuer
  check "a pod labelled as auth connects to the issuer's address (the chart's NetworkPolicy lets it)" \
    np_probe np-issuer "app.kubernetes.io/name=patholabel,$inst,app.kubernetes.io/component=auth" "$CL_ISSUER/.well-known/openid-configuration"
  api_login "$(admin_password)"
  since=$(api GET '/api/v1/audit?limit=1' | jq '.entries[0].id // 0') || true
  since=${since:-0}
  check "admin makes sure project \"GBM H&E\", which a group rule names, exists" ensure_project "GBM H&E"
  check "asmith signs in on Dex's login page ($(origin "$CL_ISSUER"), not the viewer's origin) and lands on the viewer" \
    signed_in_at_viewer asmith "$alice"
  check "her session works on /api: /me names Alice Smith, signed in through single sign-on" \
    me_is "$alice" '.user.username == "asmith" and .user.display_name == "Alice Smith" and .user.origin == "sso"'
  check "her groups gave her roles: patholabel-users → user, path-gbm-readers → annotator in \"GBM H&E\"" \
    me_is "$alice" '.user.system_role == "user" and any(.projects[]; .project_name == "GBM H&E" and .role == "annotator")'
  check "her session lists the project with her role (GET /api/v1/projects)" lists_project "$alice" "GBM H&E" annotator
  check "bjones (patholabel-admins) signs in on Dex's page and is a system admin" admin_through_sso "$bob"
  check "a wrong directory password is refused on Dex's page (401) and makes no session" wrong_password_refused "$dana"
  check "dkhan, whom Dex signs in but who is in no group that may use Patholabel, is refused an account (403)" not_provisioned "$dana"
  check "the audit log has both sign-ins through the provider and the refusal" sso_audited "$since"
  check "logout ends her session: afterwards its cookie gets 401 on /api" logout_ends "$alice"
  rm -f "$alice" "$bob" "$dana" "${SSO_BODY:-}"
  unset SSO_BODY
}
