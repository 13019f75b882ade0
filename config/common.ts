// What every part of the config parser shares: the error type, sizes, names and paths.

export interface Size {
    /** As written in config, e.g. "10Gi": a Kubernetes quantity. */
    readonly quantity: string;
    /** Whole GiB, for APIs that take gigabytes (DigitalOcean volumes). */
    readonly gib: number;
}

/** Thrown with every problem found, so a user fixes the config in one pass. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `devkube stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
                `nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "ConfigError";
    }
}

const SIZE_PATTERN = /^([1-9][0-9]*)(Gi|Ti)$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses "10Gi" / "1Ti" into a Size, or returns undefined. */
export function parseSize(text: string): Size | undefined {
    const match = SIZE_PATTERN.exec(text);
    if (!match) {
        return undefined;
    }
    const gib = Number(match[1]) * (match[2] === "Ti" ? 1024 : 1);
    return Number.isSafeInteger(gib) ? { quantity: text, gib } : undefined;
}

export function show(value: string): string {
    return JSON.stringify(value);
}

export function isAbsolutePath(path: string): boolean {
    return path.startsWith("/") && !path.split("/").includes("..");
}


/** The candidate nearest to a misspelled word (case-insensitive edit distance), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    const distance = (a: string, b: string): number => {
        const row = Array.from({ length: b.length + 1 }, (_, j) => j);
        for (let i = 1; i <= a.length; i++) {
            let diagonal = row[0];
            row[0] = i;
            for (let j = 1; j <= b.length; j++) {
                const above = row[j];
                row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length];
    };
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/** Whether `path` is `dir` or lies under it. */
export function isInside(path: string, dir: string): boolean {
    const clean = (p: string) => p.replace(/\/+$/, "");
    return clean(path) === clean(dir) || clean(path).startsWith(`${clean(dir)}/`);
}
