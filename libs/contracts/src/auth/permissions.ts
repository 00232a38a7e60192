import { z } from 'zod';

/** Every permission a sub-user or API key can hold on a server, with what it allows. */
export const permissionCatalogue = {
  'control.console': 'Watch the live console',
  'control.command': 'Send console commands',
  'control.start': 'Start the server',
  'control.stop': 'Stop or kill the server',
  'control.restart': 'Restart the server',
  'file.read': 'List files and folders',
  'file.read-content': 'Read and download file contents',
  'file.create': 'Create and upload files and folders',
  'file.update': 'Edit, rename, copy and change the mode of files',
  'file.delete': 'Delete files and folders',
  'file.archive': 'Compress and extract archives',
  'user.read': 'List sub-users',
  'user.create': 'Invite sub-users',
  'user.update': "Change sub-users' permissions",
  'user.delete': 'Remove sub-users',
  'settings.rename': 'Rename the server',
  'settings.reinstall': 'Reinstall the server',
  'activity.read': "Read the server's activity log",
} as const;

export type Permission = keyof typeof permissionCatalogue;
export const permissions = Object.keys(permissionCatalogue) as Permission[];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(permissionCatalogue, value);
}

export const permissionSchema = z.enum(permissions as [Permission, ...Permission[]]);
