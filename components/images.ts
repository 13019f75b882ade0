/**
 * Every image devkube runs, pinned to a tag published for both linux/amd64 and linux/arm64,
 * so the same stack runs on a laptop, DigitalOcean and a shelf of Raspberry Pi / Odroid boards.
 */
export const IMAGES = {
    /** NFS-Ganesha in user space (kubernetes-sigs nfs-ganesha-server-and-external-provisioner); amd64, arm64, ppc64le, s390x. */
    nfsServer: "registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8",
    /** Official nginx, multi-arch. */
    web: "nginx:1.28.0-alpine",
    /** Official Alpine, multi-arch: the shell the original hand-written YAML used. */
    editor: "alpine:3.21.3",
    /** code-server, published for amd64 and arm64. */
    ide: "codercom/code-server:4.96.4",
    /** OpenSSH on Alpine (linuxserver.io), amd64 and arm64; devkube runs its sshd directly, without the image's init. */
    ssh: "lscr.io/linuxserver/openssh-server:10.3_p1-r1-ls238",
} as const;
