#!/usr/bin/env bats
# osl policy export: the policy as an OCI/Docker seccomp profile and as a
# systemd drop-in, each checked by its consumer (the runtime-spec schema,
# systemd-analyze verify) and the seccomp one against what osl enforces.
load helper

SCHEMA=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema

setup() {
	common_setup
	cat > "$T/net.yaml" <<'YAML'
version: 1
name: net
default: deny
fs:
  read: ["/usr/**", "${PWD}/**"]
  write: ["${PWD}/out/**"]
  exec: ["/usr/bin/**"]
  deny: ["${PWD}/secret/**", "**/.env"]
net:
  connect: ["127.0.0.1:5432", "10.0.0.0/8:443"]
  bind: ["127.0.0.1:8000-8999"]
  deny: ["10.9.0.0/16:*"]
proc:
  limits: { cpu: 60s, memory: 1G, nofile: 256, nproc: 64 }
  seccomp: { base: default, deny: ["@clock"], allow: [chroot] }
YAML
}

oci_valid() {	# oci_valid FILE: valid against the OCI runtime-spec schema
	[ -f "$SCHEMA/config-schema.json" ] || skip "no runtime-spec schema (golang-github-opencontainers-specs-dev)"
	run /usr/bin/python3 "$OSL_TOP/test/fixtures/oci/validate-seccomp.py" "$1" "$SCHEMA"
	assert_success
}

# systemd-analyze verify on a unit that includes the drop-in: no complaint at all
sd_valid() {	# sd_valid POLICY
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	mkdir -p "$T/sd/osl-t.service.d"
	printf '[Unit]\nDescription=t\n[Service]\nExecStart=/bin/true\n' > "$T/sd/osl-t.service"
	osl policy export --format systemd "$1" > "$T/sd/osl-t.service.d/osl.conf"
	run --separate-stderr systemd-analyze verify "$T/sd/osl-t.service"
	assert_success
	[ -z "$stderr" ] || { echo "$stderr"; false; }
}

@test "oci-seccomp: the default profile is valid against the runtime-spec schema" {
	osl policy export --format oci-seccomp builtin:default > "$T/s.json"
	oci_valid "$T/s.json"
	j=$(cat "$T/s.json")
	[ "$(jget .defaultAction "$j")" = SCMP_ACT_ALLOW ]
	jget '.architectures|join(" ")' "$j" | grep -q SCMP_ARCH_X86_64
	# refused with EPERM, clone3 with ENOSYS so that libc falls back
	[ "$(jget '.syscalls[]|select(.names|index("ptrace"))|.errnoRet' "$j")" = 1 ]
	[ "$(jget '.syscalls[]|select(.names|index("clone3"))|.errnoRet' "$j")" = 38 ]
	# the argument checks: clone with CLONE_NEWUSER, TIOCSTI masked to 32 bits
	[ "$(jget '[.syscalls[]|select(.names==["clone"])|.args[0]|select(.value==268435456 and .valueTwo==268435456 and .op=="SCMP_CMP_MASKED_EQ")]|length' "$j")" = 1 ]
	[ "$(jget '[.syscalls[]|select(.names==["ioctl"])|.args[0]|select(.index==1 and .value==4294967295 and .valueTwo==21522)]|length' "$j")" = 1 ]
}

@test "oci-seccomp: strict is an allow-list with EPERM as the default" {
	osl policy export --format oci-seccomp builtin:strict > "$T/s.json"
	oci_valid "$T/s.json"
	j=$(cat "$T/s.json")
	[ "$(jget .defaultAction "$j")" = SCMP_ACT_ERRNO ]
	[ "$(jget .defaultErrnoRet "$j")" = 1 ]
	jget '.syscalls[]|select(.action=="SCMP_ACT_ALLOW")|.names|join(" ")' "$j" | grep -qw openat
	! jget '.syscalls[]|select(.action=="SCMP_ACT_ALLOW")|.names|join(" ")' "$j" | grep -qw ptrace
}

@test "oci-seccomp: the policy's deny and allow lists; with net rules, only the families ordinary programs use" {
	osl policy export --format oci-seccomp "$T/net.yaml" > "$T/s.json"
	oci_valid "$T/s.json"
	j=$(cat "$T/s.json")
	eperm=$(jget '.syscalls[]|select(.errnoRet==1 and (.args|not))|.names|join(" ")' "$j")
	[[ " $eperm " == *" settimeofday "* ]]
	[[ " $eperm " != *" chroot "* ]]
	# with net rules: unix, inet, inet6, netlink and packet stay; vsock
	# (40) and every family past the last (> 45) fail with EAFNOSUPPORT
	jget '.syscalls[]|select(.names==["socket"])|.args[0]|select(.op=="SCMP_CMP_MASKED_EQ")|.valueTwo' "$j" > "$T/fam"
	grep -qx 40 "$T/fam"
	! grep -qxE '1|2|10|16|17' "$T/fam"
	[ "$(jget '.syscalls[]|select(.names==["socket"])|.args[0]|select(.op=="SCMP_CMP_GT")|.value' "$j")" = 45 ]
	[ "$(jget '[.syscalls[]|select(.names==["socket"])|select(.errnoRet!=97)]|length' "$j")" = 0 ]
	! jget '.syscalls[]|select(.names==["socket"])|.args[0].op' "$j" | grep -q SCMP_CMP_NE
	# without net rules: sockets other than AF_UNIX fail with EAFNOSUPPORT
	osl policy export --format oci-seccomp builtin:net-none > "$T/n.json"
	[ "$(jget '.syscalls[]|select(.names==["socket"])|select(.args[0].op=="SCMP_CMP_NE")|.errnoRet' "$(cat "$T/n.json")")" = 97 ]
	[ "$(jget '.syscalls[]|select(.names==["socket"])|select(.args[0].op=="SCMP_CMP_NE")|.args[0].value' "$(cat "$T/n.json")")" = 1 ]
}

@test "oci-seccomp: what the export refuses is what osl proc run refuses" {
	printf 'version: 1\ndefault: allow\n' > "$T/d.yaml"
	printf 'version: 1\ndefault: allow\nproc:\n  seccomp: { base: default, allow: ["@namespace", clone] }\n' > "$T/ns.yaml"
	j=$(osl policy export --format oci-seccomp "$T/d.yaml")
	[ "$(jget '.syscalls[]|select(.names|index("unshare"))|.errnoRet' "$j")" = 1 ]
	run osl -p "$T/d.yaml" proc run -- unshare -U true
	assert_failure
	j=$(osl policy export --format oci-seccomp "$T/ns.yaml")
	[ "$(jget '[.syscalls[]|select(.names|index("unshare") or index("clone"))]|length' "$j")" = 0 ]
	unshare -U true 2>/dev/null || skip "no user namespaces here"
	run osl -p "$T/ns.yaml" proc run -- unshare -U true
	assert_success
}

# A container with the host's /usr read-only and the profile as linux.seccomp
crun_bundle() {	# crun_bundle DIR PROFILE|"" SCRIPT
	mkdir -p "$1/rootfs/usr" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/tmp"
	for l in bin lib lib64 sbin; do ln -sfn "usr/$l" "$1/rootfs/$l"; done
	jq -n --arg sec "$2" --arg script "$3" '{ociVersion: "1.0.2",
	    process: {terminal: false, user: {uid: 0, gid: 0}, args: ["/bin/sh", "-c", $script],
	      env: ["PATH=/usr/bin:/bin"], cwd: "/"},
	    root: {path: "rootfs", readonly: true}, hostname: "osl",
	    mounts: [{destination: "/proc", type: "proc", source: "proc"},
	      {destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]},
	      {destination: "/dev", type: "tmpfs", source: "tmpfs"}],
	    linux: ({namespaces: [{type: "pid"}, {type: "mount"}, {type: "ipc"}, {type: "uts"}]}
	      + (if $sec == "" then {} else {seccomp: ($sec | fromjson)} end))}' > "$1/config.json"
}

# crun wants a pure cgroup2 hierarchy: give it one in a mount namespace of its own
crun_run() {	# crun_run DIR NAME
	unshare -m sh -c 'mount --make-rprivate / &&
	    { ! mountpoint -q /sys/fs/cgroup || umount -R /sys/fs/cgroup; } &&
	    mount -t cgroup2 none /sys/fs/cgroup &&
	    exec crun --cgroup-manager=disabled run --bundle "$1" "$2"' sh "$1" "$2"
}

@test "oci-seccomp: crun runs a container with the profile; it refuses what osl refuses" {
	command -v crun >/dev/null || skip "no crun"
	[ "$(id -u)" = 0 ] || skip "needs root (a container and a cgroup2 mount)"
	script='unshare -U true 2>/dev/null; echo unshare=$?; cat /proc/self/status | grep ^Seccomp:'
	crun_bundle "$T/c0" "" "$script"
	run crun_run "$T/c0" "osl-c0-$$"
	[ "$status" -eq 0 ] || skip "crun cannot run a container here: $output"
	assert_output --partial "unshare=0"
	crun_bundle "$T/c1" "$(osl policy export --format oci-seccomp builtin:default)" "$script"
	run crun_run "$T/c1" "osl-c1-$$"
	assert_success
	assert_output --partial "unshare=1"
	assert_output --regexp "Seccomp:[[:space:]]+2"
	# strict, an allow-list: an ordinary shell pipeline still runs.  crun
	# sets the ids after loading the filter (runc loads it last): allowed here
	printf 'version: 1\nextends: [builtin:strict]\nproc:\n  seccomp: { base: strict, allow: [setresuid, setresgid, setgroups, capset, setuid, setgid] }\n' > "$T/strict-crun.yaml"
	crun_bundle "$T/c2" "$(osl policy export --format oci-seccomp "$T/strict-crun.yaml")" \
	    'printf "b\na\n" | sort | head -n 1; unshare -U true 2>/dev/null; echo unshare=$?'
	run crun_run "$T/c2" "osl-c2-$$"
	assert_success
	assert_line a
	assert_line unshare=1
}

@test "systemd: the drop-in passes systemd-analyze verify (ci, strict, net-none, own)" {
	for p in builtin:ci builtin:strict builtin:net-none builtin:default "$T/net.yaml"; do
		sd_valid "$p"
	done
}

@test "systemd: paths, network, seccomp and limits; a comment for what it cannot say" {
	run --separate-stderr osl policy export --format systemd "$T/net.yaml"
	assert_success
	assert_line "[Service]"
	assert_line "NoNewPrivileges=yes"
	assert_line "ProtectSystem=strict"
	assert_line "ReadOnlyPaths=-/usr"
	assert_line "ReadWritePaths=-$T/out"
	assert_line "InaccessiblePaths=-$T/secret"
	assert_line "NoExecPaths=/"
	assert_line "ExecPaths=-/usr/bin"
	assert_line "SystemCallArchitectures=native"
	assert_line --regexp '^SystemCallFilter=~.* settimeofday( |$)'
	assert_line --regexp '^SystemCallFilter=~.*clone3:ENOSYS'
	refute_line --regexp '^SystemCallFilter=~.* chroot( |$)'
	assert_line "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"
	assert_line "IPAddressDeny=any"
	assert_line "IPAddressAllow=127.0.0.1/32"
	assert_line "IPAddressAllow=10.0.0.0/8"
	assert_line "SocketBindDeny=any"
	assert_line "SocketBindAllow=tcp:8000-8999"
	assert_line "LimitCPU=60"
	assert_line "LimitNOFILE=256"
	assert_line "LimitNPROC=64"
	assert_line "LimitAS=1073741824"
	# every rule is named in a comment; what systemd cannot hold says so
	assert_line "# fs.deny **/.env ($T/net.yaml:8:30)"
	assert_line --partial "#   not expressible: systemd paths have no globs"
	assert_line --partial "systemd cannot limit the port"
	assert_line --partial "ioctl((arg1 & 0xffffffff) == 0x5412) fails with EPERM: not expressible"
}

@test "systemd: host-name connect rules are a comment, not an address filter" {
	run osl policy export --format systemd builtin:ci
	assert_success
	refute_line "IPAddressDeny=any"
	sd_valid builtin:ci
}

@test "export: usage errors and a bad policy" {
	run osl policy export builtin:default
	assert_failure 2
	assert_output --partial "--format"
	run osl policy export --format docker builtin:default
	assert_failure 2
	assert_output --partial "unknown format 'docker'"
	printf 'version: 1\nproc:\n  seccomp: { base: default, deny: [nosuchcall] }\n' > "$T/bad.yaml"
	run osl policy export --format oci-seccomp "$T/bad.yaml"
	assert_failure 2
	assert_output --partial "nosuchcall"
	run osl policy export -h
	assert_success
	assert_output --partial "--format"
}
