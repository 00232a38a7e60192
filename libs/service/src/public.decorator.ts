import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'blockplane:public';

/** Marks a route that answers without a caller: an edge that authenticates every request skips it. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
