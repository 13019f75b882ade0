// The laptop's side of a sync: which files of the folder count (what .gitignore and .devkubeignore leave,
// never .git/), their states, and their bytes for a batch.
import * as fs from "fs";
import * as path from "path";
import ignore, { Ignore } from "ignore";
import { FileState } from "./plan";
import { TarFile } from "./tar";
import { SHARE_OWN_DIR } from "../../contract/identity";

/**
 * Never sent nor deleted, whatever the ignore files say: the repository's own database, the sync's
 * scratch on the share, and devkube's own directory at the share's root (the sshd's host key).
 */
export const ALWAYS_IGNORED = [".git/", ".devkube-sync.*", `/${SHARE_OWN_DIR}/`];
const IGNORE_FILES = [".gitignore", ".devkubeignore"];
const ALWAYS = ignore().add(ALWAYS_IGNORED);

export interface LocalFile extends FileState {
    readonly mode: number;
    /** "size:mtimeMs": what tells one save from the next, within the same second too. */
    readonly version: string;
}

export interface FolderScan {
    readonly files: Map<string, LocalFile>;
    /** Paths that cannot be sent (a newline in the name, a symbolic link), for one warning. */
    readonly skipped: string[];
}

/** The ignore rules of a folder: the always-ignored ones, then each directory's .gitignore and .devkubeignore, relative to it. */
export class IgnoreRules {
    private readonly byDir = new Map<string, Ignore>();

    constructor(private readonly root: string) {}

    /** Whether a relative path ("/"-separated; a directory with a trailing "/") is left out. */
    ignores(relative: string): boolean {
        if (ALWAYS.ignores(relative)) {
            return true;
        }
        const parts = relative.split("/");
        for (let depth = 0; depth < parts.length; depth++) {
            const dir = parts.slice(0, depth).join("/");
            const rest = parts.slice(depth).join("/");
            if (rest !== "" && this.rulesOf(dir).ignores(rest)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets what it read, after an ignore file changed. */
    reload(): void {
        this.byDir.clear();
    }

    private rulesOf(dir: string): Ignore {
        let rules = this.byDir.get(dir);
        if (!rules) {
            rules = ignore();
            for (const file of IGNORE_FILES) {
                try {
                    rules.add(fs.readFileSync(path.join(this.root, dir, file), "utf8"));
                } catch {
                    // No such file in this directory.
                }
            }
            this.byDir.set(dir, rules);
        }
        return rules;
    }
}

export function isIgnoreFile(relative: string): boolean {
    return IGNORE_FILES.includes(path.posix.basename(relative));
}

/** Every file of the folder that counts, under `under` (a relative directory, or "" for all). */
export function scanFolder(root: string, rules: IgnoreRules, under = ""): FolderScan {
    const files = new Map<string, LocalFile>();
    const skipped: string[] = [];
    const walk = (relative: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            const file = relative === "" ? entry.name : `${relative}/${entry.name}`;
            if (entry.isDirectory()) {
                if (!rules.ignores(`${file}/`)) {
                    walk(file);
                }
            } else if (!rules.ignores(file)) {
                if (entry.isFile() && !file.includes("\n")) {
                    const stat = statOf(root, file);
                    if (stat) {
                        files.set(file, stat);
                    }
                } else {
                    skipped.push(file);
                }
            }
        }
    };
    const start = statOf(root, under);
    if (under !== "" && start) {
        if (!rules.ignores(under)) {
            files.set(under, start);
        }
    } else if (under === "" || fs.existsSync(path.join(root, under))) {
        walk(under);
    }
    return { files, skipped };
}

/** A regular file's state, or undefined (gone, a directory, a link). */
function statOf(root: string, relative: string): LocalFile | undefined {
    try {
        const stat = fs.lstatSync(path.join(root, relative));
        return stat.isFile()
            ? { size: stat.size, mtime: Math.floor(stat.mtimeMs / 1000), mode: stat.mode & 0o777, version: `${stat.size}:${stat.mtimeMs}` }
            : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The files' bytes for a tar, read one at a time as they are wanted; a file that changed size since it
 * was scanned is read as it is now, one that is gone is left out.
 */
export function* tarFiles(root: string, relatives: readonly string[], scanned: ReadonlyMap<string, LocalFile>): Generator<TarFile> {
    for (const relative of relatives) {
        let data: Buffer;
        try {
            data = fs.readFileSync(path.join(root, relative));
        } catch {
            continue;
        }
        const state = scanned.get(relative);
        yield { path: relative, data, mtime: state?.mtime ?? Math.floor(Date.now() / 1000), mode: state?.mode ?? 0o644 };
    }
}
