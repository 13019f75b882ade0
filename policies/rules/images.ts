// Images are pinned: an explicit tag that is not "latest", or a digest.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../config";
import { Deferred, containersOf, podSpecOrNotApplicable } from "../podspec";
import { describeValue } from "../../contract/quantity";

export const IMAGE_TAG = "devkube-image-tag";

export interface ImageReference {
    /** Everything before the tag/digest, e.g. "localhost:5000/app". */
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/**
 * Splits `[host[:port]/]path[:tag][@digest]`. The tag is looked for only after the last "/", so the
 * port in "localhost:5000/app" is not a tag.
 */
export function parseImageReference(image: string): ImageReference {
    let rest = image;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    let tag: string | undefined;
    if (colon > slash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    return { repository: rest, tag, digest };
}

/** Why the image is not pinned, or undefined when it is. */
export function imagePinProblem(image: unknown): string | undefined {
    if (typeof image !== "string" || image.trim() === "") {
        return `has no image (${describeValue(image)}); set image to "<repository>:<version>"`;
    }
    const ref = parseImageReference(image);
    if (ref.repository === "" || /\s/.test(image)) {
        return `image ${describeValue(image)} is not a valid image reference`;
    }
    if (ref.digest !== undefined) {
        return DIGEST_RE.test(ref.digest)
            ? undefined
            : `image ${describeValue(image)} has a malformed digest "@${ref.digest}"; use "@sha256:<64 hex digits>"`;
    }
    if (ref.tag === undefined) {
        return `image ${describeValue(image)} has no tag (it would pull "latest"); pin a version, e.g. "${ref.repository}:1.2.3", or a digest "@sha256:..."`;
    }
    if (!TAG_RE.test(ref.tag)) {
        return `image ${describeValue(image)} has an invalid tag "${ref.tag}"`;
    }
    if (ref.tag === "latest") {
        return `image ${describeValue(image)} uses the tag "latest"; pin a version, e.g. "${ref.repository}:1.2.3", or a digest "@sha256:..."`;
    }
    return undefined;
}

export const imageTagPolicy: ResourceValidationPolicy = {
    name: IMAGE_TAG,
    description: 'Every container and init container image has an explicit tag other than "latest", or a digest.',
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: (args, reportViolation) => {
        policyConfig(args, IMAGE_TAG);
        const site = podSpecOrNotApplicable(args);
        const d = new Deferred();
        for (const c of containersOf(site, d)) {
            d.run(() => {
                const problem = imagePinProblem(c.container.image);
                if (problem !== undefined) {
                    reportViolation(`${c.label}: ${problem}`);
                }
            });
        }
        d.finish();
    },
};
