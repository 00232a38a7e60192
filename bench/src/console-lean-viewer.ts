// A console viewer as lean as a client can be, so that the benchmark measures the panel rather than its own
// clients: the socket.io protocol (engine.io 4 over WebSocket) spoken directly with `ws`, and of each
// `console.output` frame only what counting needs. A frame of a busy console holds ~1,000 lines (60 KB);
// socket.io-client decodes it to a string and JSON-parses all of it, which for 1,000 viewers of 20 frames a
// second is more CPU than the gateway spends sending them.
import WebSocket from 'ws';
import { CONSOLE_SOCKET_NAMESPACE, type ConsoleLine, type ConsoleOutput } from '@blockplane/contracts';

/** socket.io packets of the console namespace: `4` (a message) + type + namespace + `,`. */
const packet = (type: number) => `4${type}${CONSOLE_SOCKET_NAMESPACE},`;
const EVENT = packet(2);
const OUTPUT = Buffer.from(`${EVENT}["console.output",`);
/**
 * A byte only notices and markers hold in a frame of numbered lines: their text starts with "──" (U+2500, E2 94 80
 * in UTF-8) while numbered lines are ASCII. Found with memchr, where parsing every line would cost a viewer more
 * than the gateway spends sending it.
 */
const NOTICE_BYTE = 0xe2;
const LINE = Buffer.from('{"seq":');
const CLOSE_BRACE = '}'.charCodeAt(0);
/** How often a viewer acknowledges at most, under a steady stream (the gateway allows CONSOLE_VIEWER_MAX_LAG_MS). */
const ACK_EVERY_MS = 200;
/** Lines that make an acknowledgement due at that pace; fewer wait up to ACK_QUIET_MS (see the console README). */
const ACK_LINES = 100;
const ACK_QUIET_MS = 1_000;

/** What a viewer tells its process of each frame. */
export interface ViewerSink {
  /** `count` numbered lines arrived now; the first written `firstMs` ago, the last `lastMs` ago. */
  lines(count: number, firstMs: number, lastMs: number): void;
  notice(line: ConsoleLine): void;
}

/** When a numbered line ("bench <pod> <n> <written at, ms since the epoch>") was written; NaN for another. */
function writtenAt(text: string): number {
  return text.startsWith('bench ') ? Number(text.slice(text.lastIndexOf(' ') + 1)) : Number.NaN;
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * One socket watching one server, acknowledging the frames it counted (`seen`) as a panel does once it has shown
 * them: the first at once, then at most every ACK_EVERY_MS once ACK_LINES lines are unacknowledged, or ACK_QUIET_MS
 * after the last for fewer (`acknowledge: false`: as a client older than `seen`, judged by its transport). A frame without a notice is read from its first and last line only: the
 * console numbers a run's lines one by one, so their `seq` says how many lines lie between.
 */
export class LeanViewer {
  private frames = 0;
  /** Lines counted since the last `seen`. */
  private unacknowledged = 0;
  private lastAck = Number.NEGATIVE_INFINITY;
  private pendingAck: { timer: NodeJS.Timeout; at: number } | undefined;

  private constructor(
    private readonly ws: WebSocket,
    readonly serverId: string,
    private readonly sink: ViewerSink,
    private readonly acknowledge: boolean,
  ) {}

  /** Connects, authenticates and joins; resolves once the join is acknowledged. */
  static connect(
    gatewayUrl: string,
    token: string,
    serverId: string,
    sink: ViewerSink,
    acknowledge = true,
  ): Promise<LeanViewer> {
    const url = `${gatewayUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    const viewer = new LeanViewer(ws, serverId, sink, acknowledge);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        ws.terminate();
        reject(new Error(`viewer of ${serverId}: ${why}`));
      };
      ws.on('error', (error) => fail(error.message));
      ws.on('message', (data: Buffer) => {
        if (data.length > OUTPUT.length && data.compare(OUTPUT, 0, OUTPUT.length, 0, OUTPUT.length) === 0) {
          viewer.output(data);
          return;
        }
        const text = data.toString();
        if (text === '2')
          ws.send('3'); // engine.io's ping
        else if (text.startsWith('0')) ws.send(`${packet(0)}${JSON.stringify({ token })}`);
        else if (text.startsWith(packet(0))) ws.send(`${EVENT}0${JSON.stringify(['join', { serverId }])}`);
        else if (text.startsWith(packet(4))) fail(`refused: ${text}`);
        else if (text.startsWith(`${packet(3)}0`)) {
          const [answer] = JSON.parse(text.slice(packet(3).length + 1)) as [{ ok: boolean }];
          if (answer.ok) resolve(viewer);
          else fail(`join answered ${text}`);
        }
      });
      ws.on('close', () => fail('closed'));
    });
  }

  close(): void {
    clearTimeout(this.pendingAck?.timer);
    this.ws.removeAllListeners('close');
    this.ws.close();
  }

  private output(data: Buffer): void {
    this.frames += 1;
    this.unacknowledged += this.count(data);
    if (!this.acknowledge) return;
    const at = this.lastAck + (this.unacknowledged >= ACK_LINES ? ACK_EVERY_MS : ACK_QUIET_MS);
    if (this.pendingAck && this.pendingAck.at <= at) return;
    clearTimeout(this.pendingAck?.timer);
    const wait = at - performance.now();
    if (wait <= 0) this.sendSeen();
    else this.pendingAck = { timer: setTimeout(() => this.sendSeen(), wait), at };
  }

  /** One `seen` covers every frame counted so far. */
  private sendSeen(): void {
    this.pendingAck = undefined;
    this.unacknowledged = 0;
    this.lastAck = performance.now();
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(`${EVENT}${JSON.stringify(['seen', { serverId: this.serverId, frames: this.frames }])}`);
  }

  /** Counts the frame's lines into the sink; answers how many it holds. */
  private count(data: Buffer): number {
    const notices = this.notices(data);
    if (!notices) return this.countEach(data);
    const noticeAt = new Set(notices.map(({ start }) => start));
    // The first and last numbered lines: notices may stand at either end.
    let first = data.indexOf(LINE, OUTPUT.length);
    while (noticeAt.has(first)) first = data.indexOf(LINE, first + 1);
    let last = data.lastIndexOf(LINE);
    while (noticeAt.has(last)) last = data.lastIndexOf(LINE, last - 1);
    const tell = () => {
      for (const { line } of notices) this.sink.notice(line);
      return notices.length;
    };
    if (first < 0 || last < first) return tell(); // an empty replay, or notices only
    const [head, tail] = [this.line(data, first), this.line(data, last)];
    const [firstAt, lastAt] = [writtenAt(head.text), writtenAt(tail.text)];
    if (Number.isNaN(firstAt) || Number.isNaN(lastAt)) return this.countEach(data);
    // The console's own notices (its flood notice) take a `seq` between the numbered lines; the gateway's share
    // the next line's.
    const ownSeqs = notices.filter(
      ({ start, line }) =>
        start > first && start < last && this.line(data, data.indexOf(LINE, start + 1)).seq !== line.seq,
    ).length;
    const arrived = now();
    const numbered = tail.seq - head.seq + 1 - ownSeqs;
    this.sink.lines(numbered, arrived - firstAt, arrived - lastAt);
    return numbered + tell();
  }

  /**
   * The frame's notices, each parsed alone, with where each starts; undefined when another line holds the byte (a
   * marker): the frame is then counted line by line.
   */
  private notices(data: Buffer): { start: number; line: ConsoleLine }[] | undefined {
    const found: { start: number; line: ConsoleLine }[] = [];
    for (let at = data.indexOf(NOTICE_BYTE, OUTPUT.length); at >= 0;) {
      const start = data.lastIndexOf(LINE, at);
      const line = this.line(data, start);
      if (line.kind !== 'notice') return undefined;
      found.push({ start, line });
      at = data.indexOf(NOTICE_BYTE, data.indexOf(CLOSE_BRACE, start));
    }
    return found;
  }

  /** The line object starting at `start` (numbered lines and notices hold no braces). */
  private line(data: Buffer, start: number): ConsoleLine {
    return JSON.parse(data.toString('utf8', start, data.indexOf(CLOSE_BRACE, start) + 1)) as ConsoleLine;
  }

  /** A frame with a notice or a line of another kind: every line parsed. */
  private countEach(data: Buffer): number {
    const [, output] = JSON.parse(data.toString('utf8', EVENT.length)) as [string, ConsoleOutput];
    const arrived = now();
    for (const line of output.lines) {
      if (line.kind === 'notice') this.sink.notice(line);
      const at = writtenAt(line.text);
      if (!Number.isNaN(at)) this.sink.lines(1, arrived - at, arrived - at);
    }
    return output.lines.length;
  }
}
