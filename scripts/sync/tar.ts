// A tar stream in memory, as `tar -x` in the editor (BusyBox) and GNU tar read it: ustar headers, a GNU
// long-name entry for a path over 100 bytes. Only regular files: that is all a sync sends.

const BLOCK = 512;

export interface TarFile {
    /** Relative path, "/"-separated. */
    readonly path: string;
    readonly data: Buffer;
    /** Seconds since the epoch: the share keeps the local file's mtime, so the next diff sees it equal. */
    readonly mtime: number;
    /** Permission bits (0o644, 0o755). */
    readonly mode: number;
}

function octal(value: number, width: number): string {
    return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: Buffer, size: number, mtime: number, mode: number, type: string): Buffer {
    const block = Buffer.alloc(BLOCK);
    name.copy(block, 0, 0, Math.min(name.length, 100));
    block.write(octal(mode & 0o7777, 8), 100, "ascii");
    block.write(octal(0, 8), 108, "ascii");
    block.write(octal(0, 8), 116, "ascii");
    block.write(octal(size, 12), 124, "ascii");
    block.write(octal(Math.max(0, Math.floor(mtime)), 12), 136, "ascii");
    block.write("        ", 148, "ascii");
    block.write(type, 156, "ascii");
    block.write("ustar\0", 257, "ascii");
    block.write("00", 263, "ascii");
    let sum = 0;
    for (const byte of block) {
        sum += byte;
    }
    block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
    return block;
}

function padded(data: Buffer): Buffer[] {
    const rest = data.length % BLOCK;
    return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)];
}

/** tar's record: GNU tar reads whole records, so an archive cut short of one waits for more input. */
export const RECORD = 20 * BLOCK;

/** One file's entry: its header (after a long-name entry for a path over 100 bytes), its data, padded to a block. */
export function tarEntry(file: TarFile): Buffer[] {
    const parts: Buffer[] = [];
    const name = Buffer.from(file.path, "utf8");
    if (name.length > 100) {
        // GNU tar's ././@LongLink entry: the next header's name is this entry's data.
        const long = Buffer.concat([name, Buffer.from([0])]);
        parts.push(header(Buffer.from("././@LongLink"), long.length, 0, 0o644, "L"), ...padded(long));
    }
    parts.push(header(name, file.data.length, file.mtime, file.mode, "0"), ...padded(file.data));
    return parts;
}

/**
 * The end of an archive of `length` bytes of entries: two zero blocks, padded to whole records, so that
 * tar stops at the end of the archive even when its standard input stays open (kwok's exec never closes it).
 */
export function tarEnd(length: number): Buffer {
    const end = BLOCK * 2;
    return Buffer.alloc(end + ((RECORD - ((length + end) % RECORD)) % RECORD));
}

/** The files as one tar archive. */
export function tarOf(files: readonly TarFile[]): Buffer {
    const parts = files.flatMap(tarEntry);
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    return Buffer.concat([...parts, tarEnd(length)]);
}
