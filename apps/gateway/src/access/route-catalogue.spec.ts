import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Delete, Get, type INestApplication, Injectable, Post, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { powerRequestSchema } from '@blockplane/contracts';
import { Public } from '@blockplane/service';
import { ActivityRecordedBy, RecordActivity } from '../activity/record-activity.decorator.js';
import { AdminOnly, permissionByField, ServerAccess, SignedIn } from './access-rule.js';
import { RouteCatalogue } from './route-catalogue.js';
import { SocketEvent } from './socket-event.js';

/**
 * A bare Nest app holding only the catalogue and the given controllers (and socket event providers): its
 * `init()` runs the bootstrap check.
 */
async function boot(controllers: Type | Type[], providers: Type[] = []): Promise<INestApplication> {
  const module = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers: [controllers].flat(),
    providers: [RouteCatalogue, ...providers],
  }).compile();
  const app = module.createNestApplication({ logger: false });
  apps.push(app);
  await app.init();
  return app;
}
const apps: INestApplication[] = [];

describe('RouteCatalogue', () => {
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('refuses to start an app with a handler that declares no rule, and names it', async () => {
    @Controller('api/v1/things')
    class ThingsController {
      @SignedIn()
      @Get()
      list(): string[] {
        return [];
      }

      @Get(':id')
      one(): string {
        return 'undeclared';
      }
    }
    await expect(boot(ThingsController)).rejects.toThrow(
      /ThingsController\.one \(GET \/api\/v1\/things\/:id\) declares no access rule/,
    );
  });

  it('refuses a state-changing route that is neither public nor recorded, and a server rule without :id', async () => {
    @Controller('api/v1')
    class SloppyController {
      @SignedIn()
      @Post('things')
      create(): void {}

      @ServerAccess('any')
      @Get('servers')
      all(): void {}

      @Public()
      @RecordActivity('server.create')
      @Post('anonymous')
      anonymous(): Promise<void> {
        return Promise.resolve();
      }
    }
    const failure = boot(SloppyController);
    await expect(failure).rejects.toThrow(/SloppyController\.create \(POST \/api\/v1\/things\) changes state/);
    await expect(failure).rejects.toThrow(/SloppyController\.all \(GET \/api\/v1\/servers\) needs server access/);
    await expect(failure).rejects.toThrow(/SloppyController\.anonymous .* is public but records activity/);
  });

  it('refuses a handler whose controller declares a rule too', async () => {
    @AdminOnly()
    @Controller('api/v1/admin')
    class DoubleController {
      @Public()
      @Get('open')
      open(): void {}
    }
    await expect(boot(DoubleController)).rejects.toThrow(/DoubleController\.open .* declares 2 access rules/);
  });

  it('refuses two rules on one handler as soon as the class is defined', () => {
    expect(() => {
      class Twice {
        @SignedIn()
        @AdminOnly()
        handler(): void {}
      }
      return Twice;
    }).toThrow('handler declares more than one access rule');
  });

  it('lists every route with its rule and activity, class-level rules included', async () => {
    @Controller('api/v1/servers')
    class GoodController {
      @ServerAccess(
        permissionByField(powerRequestSchema, 'action', {
          start: 'control.start',
          stop: 'control.stop',
          kill: 'control.stop',
          restart: 'control.restart',
        }),
      )
      @RecordActivity('server.power')
      @Post(':id/power')
      power(): Promise<void> {
        return Promise.resolve();
      }

      @ServerAccess('owner')
      @RecordActivity('server.delete')
      @Delete(':id')
      remove(): Promise<void> {
        return Promise.resolve();
      }
    }
    @Public()
    @Controller()
    class ProbeController {
      @Get('healthz')
      health(): void {}
    }
    const app = await boot([GoodController, ProbeController]);
    expect(app.get(RouteCatalogue).routes).toEqual([
      {
        method: 'DELETE',
        path: '/api/v1/servers/:id',
        handler: 'GoodController.remove',
        rule: { kind: 'server', need: 'owner' },
        activity: 'server.delete',
      },
      {
        method: 'POST',
        path: '/api/v1/servers/:id/power',
        handler: 'GoodController.power',
        rule: {
          kind: 'server',
          need: {
            field: 'action',
            permissions: {
              start: 'control.start',
              stop: 'control.stop',
              kill: 'control.stop',
              restart: 'control.restart',
            },
          },
        },
        activity: 'server.power',
      },
      { method: 'GET', path: '/healthz', handler: 'ProbeController.health', rule: { kind: 'public' }, activity: null },
    ]);
  });

  describe('socket events', () => {
    @Controller()
    class NoRoutes {}

    /** The protocol's five events, well declared; a test breaks one of them at a time. */
    @Injectable()
    class GoodEvents {
      @SocketEvent('join', { readOnly: true })
      @ServerAccess('control.console')
      join(): Promise<string> {
        return Promise.resolve('joined');
      }

      @SocketEvent('leave', { readOnly: true })
      @SignedIn()
      leave(): void {}

      @SocketEvent('command')
      @ServerAccess('control.command')
      @ActivityRecordedBy('console', 'console.command')
      command(): void {}

      @SocketEvent('power')
      @ServerAccess('control.start')
      @RecordActivity('server.power')
      power(): Promise<void> {
        return Promise.resolve();
      }

      @SocketEvent('auth', { readOnly: true })
      @SignedIn({ apiKeys: false })
      auth(): void {}

      @SocketEvent('seen', { readOnly: true })
      @SignedIn()
      seen(): void {}
    }

    it('lists each event with its rule and what the activity log records, and runs its handler', async () => {
      const app = await boot(NoRoutes, [GoodEvents]);
      const events = app.get(RouteCatalogue).socketEvents;
      expect(events.map(({ event, handler, rule, activity }) => ({ event, handler, rule, activity }))).toEqual([
        { event: 'auth', handler: 'GoodEvents.auth', rule: { kind: 'signed-in', apiKeys: false }, activity: null },
        {
          event: 'command',
          handler: 'GoodEvents.command',
          rule: { kind: 'server', need: 'control.command' },
          activity: 'console.command',
        },
        {
          event: 'join',
          handler: 'GoodEvents.join',
          rule: { kind: 'server', need: 'control.console' },
          activity: null,
        },
        { event: 'leave', handler: 'GoodEvents.leave', rule: { kind: 'signed-in', apiKeys: true }, activity: null },
        {
          event: 'power',
          handler: 'GoodEvents.power',
          rule: { kind: 'server', need: 'control.start' },
          activity: 'server.power',
        },
        { event: 'seen', handler: 'GoodEvents.seen', rule: { kind: 'signed-in', apiKeys: true }, activity: null },
      ]);
      expect(events.find((entry) => entry.event === 'command')?.recording).toEqual({
        action: 'console.command',
        recordedBy: 'console',
      });
      expect(await events.find((entry) => entry.event === 'join')?.invoke({})).toBe('joined');
    });

    it('refuses an event without a rule, a public one, an unrecorded change and a server rule without serverId', async () => {
      @Injectable()
      class SloppyEvents extends GoodEvents {
        @SocketEvent('join', { readOnly: true })
        override join(): Promise<string> {
          return Promise.resolve('nobody checks');
        }

        @SocketEvent('leave', { readOnly: true })
        @Public()
        override leave(): void {}

        @SocketEvent('power')
        @ServerAccess('control.start')
        override power(): Promise<void> {
          return Promise.resolve();
        }

        @SocketEvent('auth', { readOnly: true })
        @ServerAccess('any')
        override auth(): void {}
      }
      const failure = boot(NoRoutes, [SloppyEvents]);
      await expect(failure).rejects.toThrow(/SloppyEvents\.join \(socket event join\) declares no access rule/);
      await expect(failure).rejects.toThrow(/SloppyEvents\.leave .* is public, but every socket is authenticated/);
      await expect(failure).rejects.toThrow(/SloppyEvents\.power .* changes state but records no activity/);
      await expect(failure).rejects.toThrow(
        /SloppyEvents\.auth .* needs server access but its payload has no serverId/,
      );
    });

    it('refuses a protocol event without a handler, or with two', async () => {
      @Injectable()
      class Partial {
        @SocketEvent('leave', { readOnly: true })
        @SignedIn()
        leave(): void {}
      }
      const failure = boot(NoRoutes, [GoodEvents, Partial]);
      await expect(failure).rejects.toThrow(/socket event leave has 2 handlers \(GoodEvents\.leave, Partial\.leave\)/);
      await expect(boot(NoRoutes, [Partial])).rejects.toThrow(
        /socket event join has 0 handlers; exactly one is needed/,
      );
    });
  });
});
