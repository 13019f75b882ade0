// A small NFSv4.1 client (RFC 8881) over TCP, enough to check devkube's NFS server the way the
// kernel client of an `nfsvers=4.1` mount uses it: a session (EXCHANGE_ID, CREATE_SESSION,
// RECLAIM_COMPLETE), then SEQUENCE-led compounds that look up, create, write, read, list, rename and
// remove files and read their owner. No Debian or npm package speaks 4.1 (libnfs speaks 4.0 only).
import * as net from "net";

export const NFS4_OK = 0;
export const NFS4ERR = { ACCESS: 13, NOENT: 2, STALE: 70, DELAY: 10008, GRACE: 10013, BADSESSION: 10052 } as const;

const OP = {
    CLOSE: 4, GETATTR: 9, GETFH: 10, LOOKUP: 15, OPEN: 18, PUTFH: 22, PUTROOTFH: 24, READ: 25, READDIR: 26,
    REMOVE: 28, RENAME: 29, SAVEFH: 32, WRITE: 38, EXCHANGE_ID: 42, CREATE_SESSION: 43, DESTROY_SESSION: 44,
    SEQUENCE: 53, DESTROY_CLIENTID: 57, RECLAIM_COMPLETE: 58,
} as const;

/** An NFS operation that did not return NFS4_OK. */
export class NfsError extends Error {
    constructor(
        readonly op: string,
        readonly status: number,
    ) {
        super(`${op} failed with NFS status ${status}${Object.entries(NFS4ERR).find(([, v]) => v === status)?.[0] ? ` (NFS4ERR_${Object.entries(NFS4ERR).find(([, v]) => v === status)![0]})` : ""}`);
    }
}

class Xdr {
    private parts: Buffer[] = [];
    u32(v: number): this {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(v >>> 0);
        this.parts.push(b);
        return this;
    }
    u64(v: bigint): this {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(v);
        this.parts.push(b);
        return this;
    }
    fixed(b: Buffer): this {
        this.parts.push(b, Buffer.alloc((4 - (b.length % 4)) % 4));
        return this;
    }
    opaque(b: Buffer | string): this {
        const buf = typeof b === "string" ? Buffer.from(b) : b;
        return this.u32(buf.length).fixed(buf);
    }
    bytes(): Buffer {
        return Buffer.concat(this.parts);
    }
}

class Reader {
    private at = 0;
    constructor(private readonly buf: Buffer) {}
    u32(): number {
        const v = this.buf.readUInt32BE(this.at);
        this.at += 4;
        return v;
    }
    u64(): bigint {
        const v = this.buf.readBigUInt64BE(this.at);
        this.at += 8;
        return v;
    }
    fixed(n: number): Buffer {
        const b = this.buf.subarray(this.at, this.at + n);
        this.at += n + ((4 - (n % 4)) % 4);
        return b;
    }
    opaque(): Buffer {
        return this.fixed(this.u32());
    }
    string(): string {
        return this.opaque().toString();
    }
    bitmap(): number[] {
        const n = this.u32();
        return Array.from({ length: n }, () => this.u32());
    }
}

/** An RPC call's credential: AUTH_SYS with the given ids, as a kernel client sends them. */
export interface Identity {
    readonly uid: number;
    readonly gid: number;
}

/** One TCP connection speaking ONC RPC with record marking. */
class RpcConnection {
    private socket: net.Socket;
    private pending = Buffer.alloc(0);
    private waiters = new Map<number, (body: Buffer) => void>();
    private xid = 0x64657600;
    private closed?: Error;

    private constructor(socket: net.Socket) {
        this.socket = socket;
        socket.on("data", (chunk) => this.receive(chunk));
        socket.on("close", () => this.fail(new Error("the NFS server closed the connection")));
        socket.on("error", (e) => this.fail(e));
    }

    static open(host: string, port: number): Promise<RpcConnection> {
        return new Promise((resolve, reject) => {
            const socket = net.connect({ host, port }, () => resolve(new RpcConnection(socket)));
            socket.once("error", reject);
        });
    }

    private fail(e: Error): void {
        this.closed ??= e;
        for (const waiter of this.waiters.values()) {
            waiter(Buffer.alloc(0));
        }
        this.waiters.clear();
    }

    private receive(chunk: Buffer): void {
        this.pending = Buffer.concat([this.pending, chunk]);
        // One fragment per reply: servers answer small compounds in a single record.
        while (this.pending.length >= 4) {
            const mark = this.pending.readUInt32BE(0);
            const length = mark & 0x7fffffff;
            if (this.pending.length < 4 + length) {
                return;
            }
            const body = this.pending.subarray(4, 4 + length);
            this.pending = this.pending.subarray(4 + length);
            const xid = body.readUInt32BE(0);
            this.waiters.get(xid)?.(body);
            this.waiters.delete(xid);
        }
    }

    call(identity: Identity, args: Buffer, timeoutMs = 10000): Promise<Reader> {
        if (this.closed) {
            return Promise.reject(this.closed);
        }
        const xid = ++this.xid;
        const cred = new Xdr().u32(0).opaque("devkube-test").u32(identity.uid).u32(identity.gid).u32(0).bytes();
        const body = new Xdr().u32(xid).u32(0).u32(2).u32(100003).u32(4).u32(1).u32(1).opaque(cred).u32(0).u32(0).bytes();
        const message = Buffer.concat([body, args]);
        const mark = Buffer.alloc(4);
        mark.writeUInt32BE((0x80000000 | message.length) >>> 0);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.waiters.delete(xid);
                reject(new Error(`no NFS reply within ${timeoutMs} ms`));
            }, timeoutMs);
            this.waiters.set(xid, (reply) => {
                clearTimeout(timer);
                if (reply.length === 0) {
                    return reject(this.closed ?? new Error("connection lost"));
                }
                const r = new Reader(reply);
                r.u32(); // xid
                if (r.u32() !== 1 || r.u32() !== 0) {
                    return reject(new Error("the RPC call was rejected"));
                }
                r.u32(); // verifier flavor
                r.opaque();
                const accept = r.u32();
                if (accept !== 0) {
                    return reject(new Error(`the RPC call was not accepted (accept_stat ${accept})`));
                }
                resolve(r);
            });
            this.socket.write(Buffer.concat([mark, message]));
        });
    }

    close(): void {
        this.socket.destroy();
    }
}

/** One operation of a compound: how to encode its arguments and decode its result. */
interface Op<T> {
    readonly name: string;
    readonly code: number;
    readonly args: (x: Xdr) => void;
    readonly result: (r: Reader) => T;
}

const none = () => undefined;

export interface StateId {
    readonly seqid: number;
    readonly other: Buffer;
}

function stateid(r: Reader): StateId {
    return { seqid: r.u32(), other: Buffer.from(r.fixed(12)) };
}
function putStateid(x: Xdr, s: StateId): void {
    x.u32(s.seqid).fixed(s.other);
}
function changeInfo(r: Reader): void {
    r.u32();
    r.u64();
    r.u64();
}

/** GETATTR results devkube checks: size, mode, and the numeric owner and group. */
export interface Attributes {
    readonly size: bigint;
    readonly mode: number;
    readonly owner: string;
    readonly group: string;
}
// Bits of FATTR4_SIZE (4), FATTR4_MODE (33), FATTR4_OWNER (36), FATTR4_OWNER_GROUP (37).
const ATTR_REQUEST = [1 << 4, (1 << 1) | (1 << 4) | (1 << 5)];

function attributes(r: Reader): Attributes {
    const mask = r.bitmap();
    const values = new Reader(r.opaque());
    const has = (bit: number) => ((mask[bit >> 5] ?? 0) & (1 << (bit & 31))) !== 0;
    const size = has(4) ? values.u64() : -1n;
    const mode = has(33) ? values.u32() : -1;
    const owner = has(36) ? values.string() : "";
    const group = has(37) ? values.string() : "";
    return { size, mode, owner, group };
}

const ops = {
    putrootfh: (): Op<void> => ({ name: "PUTROOTFH", code: OP.PUTROOTFH, args: none, result: none }),
    putfh: (fh: Buffer): Op<void> => ({ name: "PUTFH", code: OP.PUTFH, args: (x) => x.opaque(fh), result: none }),
    getfh: (): Op<Buffer> => ({ name: "GETFH", code: OP.GETFH, args: none, result: (r) => Buffer.from(r.opaque()) }),
    savefh: (): Op<void> => ({ name: "SAVEFH", code: OP.SAVEFH, args: none, result: none }),
    lookup: (name: string): Op<void> => ({ name: "LOOKUP", code: OP.LOOKUP, args: (x) => x.opaque(name), result: none }),
    getattr: (): Op<Attributes> => ({
        name: "GETATTR",
        code: OP.GETATTR,
        args: (x) => {
            x.u32(ATTR_REQUEST.length);
            ATTR_REQUEST.forEach((word) => x.u32(word));
        },
        result: attributes,
    }),
    open: (clientid: bigint, owner: string, name: string, create: boolean): Op<StateId> => ({
        name: "OPEN",
        code: OP.OPEN,
        args: (x) => {
            // share_access BOTH | WANT_NO_DELEG, deny NONE, this client's open owner.
            x.u32(0).u32(3 | 0x0400).u32(0).u64(clientid).opaque(owner);
            if (create) {
                // OPEN4_CREATE, UNCHECKED4, mode 0644 (FATTR4_MODE), as a kernel client's create sends it.
                x.u32(1).u32(0).u32(2).u32(0).u32(1 << 1).opaque(new Xdr().u32(0o644).bytes());
            } else {
                x.u32(0);
            }
            x.u32(0).opaque(name); // CLAIM_NULL
        },
        result: (r) => {
            const id = stateid(r);
            changeInfo(r);
            r.u32(); // rflags
            r.bitmap();
            const delegation = r.u32();
            if (delegation === 3) {
                const why = r.u32();
                if (why === 1 || why === 2) {
                    r.u32();
                }
            } else if (delegation !== 0) {
                throw new Error(`the server handed out a delegation (${delegation}) that was not asked for`);
            }
            return id;
        },
    }),
    write: (id: StateId, offset: bigint, data: Buffer): Op<number> => ({
        name: "WRITE",
        code: OP.WRITE,
        args: (x) => {
            putStateid(x, id);
            x.u64(offset).u32(2).opaque(data); // FILE_SYNC4
        },
        result: (r) => {
            const count = r.u32();
            r.u32();
            r.fixed(8);
            return count;
        },
    }),
    read: (id: StateId, offset: bigint, count: number): Op<Buffer> => ({
        name: "READ",
        code: OP.READ,
        args: (x) => {
            putStateid(x, id);
            x.u64(offset).u32(count);
        },
        result: (r) => {
            r.u32(); // eof
            return Buffer.from(r.opaque());
        },
    }),
    close: (id: StateId): Op<void> => ({
        name: "CLOSE",
        code: OP.CLOSE,
        args: (x) => {
            x.u32(0);
            putStateid(x, id);
        },
        result: (r) => void stateid(r),
    }),
    remove: (name: string): Op<void> => ({ name: "REMOVE", code: OP.REMOVE, args: (x) => x.opaque(name), result: changeInfo }),
    rename: (from: string, to: string): Op<void> => ({
        name: "RENAME",
        code: OP.RENAME,
        args: (x) => x.opaque(from).opaque(to),
        result: (r) => {
            changeInfo(r);
            changeInfo(r);
        },
    }),
    readdir: (): Op<string[]> => ({
        name: "READDIR",
        code: OP.READDIR,
        args: (x) => x.u64(0n).fixed(Buffer.alloc(8)).u32(8192).u32(32768).u32(0),
        result: (r) => {
            r.fixed(8);
            const names: string[] = [];
            while (r.u32() === 1) {
                r.u64();
                names.push(r.string());
                r.bitmap();
                r.opaque();
            }
            r.u32(); // eof
            return names;
        },
    }),
};

/** The one session of a client: its id, the session id and slot 0's sequence number. */
interface Session {
    readonly clientid: bigint;
    readonly sessionid: Buffer;
    sequence: number;
}

/** An NFSv4.1 client with one session on one connection. */
export class Nfs41Client {
    private constructor(
        private readonly rpc: RpcConnection,
        private readonly identity: Identity,
        private readonly session: Session,
        private readonly owner: string,
    ) {}

    /** Connects, creates the client and its session, and says its reclaims are complete. */
    static async connect(host: string, port: number, identity: Identity, name = `devkube-test-${process.pid}-${Date.now()}`): Promise<Nfs41Client> {
        const rpc = await RpcConnection.open(host, port);
        const exchange = await compound(rpc, identity, [
            {
                name: "EXCHANGE_ID",
                code: OP.EXCHANGE_ID,
                // A verifier, the owner id; flags: EXCHGID4_FLAG_USE_NON_PNFS; SP4_NONE; no implementation id.
                args: (x) => x.fixed(Buffer.from("devkube!")).opaque(name).u32(0x00010000).u32(0).u32(0),
                result: (r) => {
                    const clientid = r.u64();
                    const sequence = r.u32();
                    return { clientid, sequence };
                },
            },
        ]);
        const { clientid, sequence } = exchange[0] as { clientid: bigint; sequence: number };
        const channel = (x: Xdr) => x.u32(0).u32(1048576).u32(1048576).u32(4096).u32(16).u32(1).u32(0);
        const created = await compound(rpc, identity, [
            {
                name: "CREATE_SESSION",
                code: OP.CREATE_SESSION,
                args: (x) => {
                    x.u64(clientid).u32(sequence).u32(0);
                    channel(x);
                    channel(x);
                    x.u32(0x40000000).u32(1).u32(0); // callback program, one AUTH_NONE callback flavor
                },
                result: (r) => Buffer.from(r.fixed(16)),
            },
        ]);
        const session: Session = { clientid, sessionid: created[0] as Buffer, sequence: 1 };
        const client = new Nfs41Client(rpc, identity, session, `${name}-open-owner`);
        await client.run([{ name: "RECLAIM_COMPLETE", code: OP.RECLAIM_COMPLETE, args: (x) => x.u32(0), result: none }]);
        return client;
    }

    /** One compound in the session: SEQUENCE first, then the operations; the results after SEQUENCE. */
    private async run(operations: Op<unknown>[]): Promise<unknown[]> {
        const s = this.session;
        const sequence: Op<void> = {
            name: "SEQUENCE",
            code: OP.SEQUENCE,
            args: (x) => x.fixed(s.sessionid).u32(s.sequence).u32(0).u32(0).u32(0),
            result: (r) => {
                r.fixed(16);
                for (let i = 0; i < 5; i++) {
                    r.u32();
                }
            },
        };
        try {
            const results = (await compound(this.rpc, this.identity, [sequence, ...operations])).slice(1);
            s.sequence++;
            return results;
        } catch (error) {
            // The slot's sequence advances once SEQUENCE itself succeeded, whatever failed after it.
            if (error instanceof NfsError && error.op !== "SEQUENCE") {
                s.sequence++;
            }
            throw error;
        }
    }

    private async openIn(dirPath: string, name: string, create: boolean): Promise<{ id: StateId; fh: Buffer }> {
        const results = await this.run([...walk(dirPath), ops.open(this.session.clientid, this.owner, name, create), ops.getfh()]);
        const [id, fh] = results.slice(-2) as [StateId, Buffer];
        return { id, fh };
    }

    /** Creates (or truncates nothing of) a file and writes data at offset 0; returns its file handle. */
    async writeFile(path: string, data: Buffer | string): Promise<Buffer> {
        const { dir, name } = split(path);
        const { id, fh } = await this.openIn(dir, name, true);
        const bytes = typeof data === "string" ? Buffer.from(data) : data;
        const [, written] = (await this.run([ops.putfh(fh), ops.write(id, 0n, bytes)])) as [unknown, number];
        if (written !== bytes.length) {
            throw new Error(`WRITE wrote ${written} of ${bytes.length} bytes`);
        }
        await this.run([ops.putfh(fh), ops.close(id)]);
        return fh;
    }

    async readFile(path: string): Promise<Buffer> {
        const { dir, name } = split(path);
        const { id, fh } = await this.openIn(dir, name, false);
        const [, data] = (await this.run([ops.putfh(fh), ops.read(id, 0n, 65536)])) as [unknown, Buffer];
        await this.run([ops.putfh(fh), ops.close(id)]);
        return data;
    }

    async list(dirPath = "/"): Promise<string[]> {
        const results = await this.run([...walk(dirPath), ops.readdir()]);
        return (results[results.length - 1] as string[]).sort();
    }

    async stat(path: string): Promise<Attributes> {
        const results = await this.run([...walk(path), ops.getattr()]);
        return results[results.length - 1] as Attributes;
    }

    /** GETATTR by file handle: a handle from before a server restart must still be valid after it. */
    async statHandle(fh: Buffer): Promise<Attributes> {
        const [, attrs] = (await this.run([ops.putfh(fh), ops.getattr()])) as [unknown, Attributes];
        return attrs;
    }

    async rename(from: string, to: string): Promise<void> {
        const a = split(from);
        const b = split(to);
        await this.run([...walk(a.dir), ops.savefh(), ...walk(b.dir), ops.rename(a.name, b.name)]);
    }

    async remove(path: string): Promise<void> {
        const { dir, name } = split(path);
        await this.run([...walk(dir), ops.remove(name)]);
    }

    /** Ends the session and the client id, as a clean unmount does, and closes the connection. */
    async close(): Promise<void> {
        try {
            await compound(this.rpc, this.identity, [
                { name: "DESTROY_SESSION", code: OP.DESTROY_SESSION, args: (x) => x.fixed(this.session.sessionid), result: none },
            ]);
            await compound(this.rpc, this.identity, [
                { name: "DESTROY_CLIENTID", code: OP.DESTROY_CLIENTID, args: (x) => x.u64(this.session.clientid), result: none },
            ]);
        } finally {
            this.rpc.close();
        }
    }

    /** Drops the connection without ending the session: the client stays on record, as after a crash. */
    abandon(): void {
        this.rpc.close();
    }
}

function split(path: string): { dir: string; name: string } {
    const parts = path.split("/").filter(Boolean);
    const name = parts.pop();
    if (!name) {
        throw new Error(`not a file path: ${path}`);
    }
    return { dir: `/${parts.join("/")}`, name };
}

function walk(path: string): Op<unknown>[] {
    return [ops.putrootfh(), ...path.split("/").filter(Boolean).map((c) => ops.lookup(c))];
}

async function compound(rpc: RpcConnection, identity: Identity, operations: Op<unknown>[]): Promise<unknown[]> {
    const x = new Xdr().opaque("").u32(1).u32(operations.length);
    for (const op of operations) {
        x.u32(op.code);
        op.args(x);
    }
    const r = await rpc.call(identity, x.bytes());
    r.u32(); // the compound's status: the failing operation's, read below
    r.opaque(); // tag
    const count = r.u32();
    const results: unknown[] = [];
    for (let i = 0; i < count; i++) {
        const code = r.u32();
        const status = r.u32();
        const op = operations[i];
        if (code !== op.code) {
            throw new Error(`reply out of order: expected ${op.name}, got operation ${code}`);
        }
        if (status !== NFS4_OK) {
            throw new NfsError(op.name, status);
        }
        results.push(op.result(r));
    }
    if (results.length !== operations.length) {
        throw new Error(`the server answered ${results.length} of ${operations.length} operations`);
    }
    return results;
}
