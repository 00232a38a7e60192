// Status failures written straight to a response or a raw upgrade socket.
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../api/api-error.js';

export function sendStatus(res: ServerResponse, error: ApiError): void {
  const body = JSON.stringify(error.toStatus());
  res.writeHead(error.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Refuses a WebSocket upgrade with a Status body, so the client reports the reason. */
export function refuseUpgrade(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toStatus());
  socket.end(
    `HTTP/1.1 ${error.code} ${STATUS_CODES[error.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function podNotFound(name: string): ApiError {
  return new ApiError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
}
