// Task events: what the task service tells the owner's open clients after each committed write
// (created, updated — toggles included —, deleted). Published on the owner's own channel only, so
// a watcher can never receive another user's events: the channel is chosen from the watcher's
// verified identity, never from anything the client sends.
import type { Viewer } from '../users/user.types.js';
import type { TaskRecord } from './task.types.js';

export type TaskEventType = 'CREATED' | 'UPDATED' | 'DELETED';

export interface TaskEvent {
  type: TaskEventType;
  taskId: string;
  /** The task as committed; null for DELETED. */
  task: TaskRecord | null;
}

/** The publish/subscribe port the events travel through (infra/event-bus.ts implements it). */
export interface EventChannel {
  publish(channel: string, message: string): void;
  subscribe(channel: string, handler: (message: string) => void): { ready: Promise<void>; close(): void };
}

/** Undelivered events one watcher may hold before it is ended as too slow. */
export const WATCH_QUEUE_MAX = 1_000;

export class TooSlowError extends Error {
  constructor() {
    super(`More than ${WATCH_QUEUE_MAX} task events were waiting to be delivered; the stream was ended.`);
    this.name = 'TooSlowError';
  }
}

const channelOf = (ownerId: string) => `tasks:${ownerId}`;

function encode(event: TaskEvent): string {
  return JSON.stringify(event);
}

function decode(message: string): TaskEvent | null {
  try {
    const event = JSON.parse(message) as TaskEvent;
    if (event.task) {
      event.task.createdAt = new Date(event.task.createdAt);
      event.task.updatedAt = new Date(event.task.updatedAt);
    }
    return event;
  } catch {
    return null;
  }
}

export class TaskEvents {
  constructor(private readonly bus: EventChannel) {}

  publish(ownerId: string, event: TaskEvent): void {
    this.bus.publish(channelOf(ownerId), encode(event));
  }

  /**
   * The viewer's task events from now on, as an async iterator; resolves once events published
   * anywhere reach it. `return()` ends it at once (also while it waits for the next event).
   */
  async watch(viewer: Viewer): Promise<AsyncIterableIterator<TaskEvent>> {
    const queue: TaskEvent[] = [];
    let waiting: ((result: IteratorResult<TaskEvent>) => void) | null = null;
    let failed: Error | null = null;
    let done = false;
    const subscription = this.bus.subscribe(channelOf(viewer.userId), (message) => {
      if (done) return;
      const event = decode(message);
      if (!event) return;
      if (waiting) {
        const wake = waiting;
        waiting = null;
        wake({ value: event, done: false });
        return;
      }
      queue.push(event);
      if (queue.length > WATCH_QUEUE_MAX) {
        failed = new TooSlowError();
        finish();
      }
    });
    const finish = () => {
      if (done) return;
      done = true;
      subscription.close();
      queue.length = 0;
      if (waiting) {
        const wake = waiting;
        waiting = null;
        wake({ value: undefined, done: true });
      }
    };
    await subscription.ready;
    const iterator: AsyncIterableIterator<TaskEvent> = {
      next() {
        if (failed) {
          const error = failed;
          failed = null;
          return Promise.reject(error);
        }
        const next = queue.shift();
        if (next) return Promise.resolve({ value: next, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
      return() {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(error?: unknown) {
        finish();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}

/** For a TaskService without live updates (scripts, tests of the service alone). */
export const NO_TASK_EVENTS = new TaskEvents({ publish: () => {}, subscribe: () => ({ ready: Promise.resolve(), close: () => {} }) });

/** The name the generated GraphQL resolver types know a TaskEvent by. */
export type TaskEventRecord = TaskEvent;
