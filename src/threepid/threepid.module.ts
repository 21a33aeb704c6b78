import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThreePidController } from './api/three-pid.controller';
import { ThreePidService } from './application/three-pid.service';
import { ThreePidRepository } from './domain/ports/three-pid.repository';
import { TypeOrmThreePidRepository } from './infrastructure/typeorm-three-pid.repository';
import { ThreePidOrmEntity } from './infrastructure/three-pid.orm-entity';
import { ConfigurableThreePidModule } from './three-pid.options';

/**
 * The Account Administrative Contact API. `ThreePidModule.forRoot({...})` or
 * `ThreePidModule.forRootAsync({ inject, useFactory })`; each port has a default adapter.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ThreePidOrmEntity])],
  controllers: [ThreePidController],
  providers: [ThreePidService, { provide: ThreePidRepository, useClass: TypeOrmThreePidRepository }],
  exports: [ThreePidService, ThreePidRepository],
})
export class ThreePidModule extends ConfigurableThreePidModule {}
