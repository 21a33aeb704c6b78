import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { MatrixValidationPipe } from '../../../src/common/http/matrix-validation.pipe';

class Inner {
  @IsString()
  name!: string;
}

class Body {
  @IsString()
  @Matches(/^[a-z]+$/)
  word!: string;

  @IsInt()
  count!: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;
}

describe(MatrixValidationPipe.name, () => {
  const pipe = new MatrixValidationPipe();
  const validate = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Body });

  it('returns an instance of the DTO without unknown fields', async () => {
    const result = await validate({ word: 'abc', count: 2, extra: true, inner: { name: 'n', more: 1 } });
    expect(result).toBeInstanceOf(Body);
    expect(result).toEqual({ word: 'abc', count: 2, inner: { name: 'n' } });
  });

  it.each([
    ['no body', undefined, 'M_NOT_JSON'],
    ['an array', [1], 'M_BAD_JSON'],
    ['null', null, 'M_BAD_JSON'],
    ['a string', 'word', 'M_BAD_JSON'],
    ['a missing field', { word: 'abc' }, 'M_MISSING_PARAM'],
    ['a missing nested field', { word: 'abc', count: 1, inner: {} }, 'M_MISSING_PARAM'],
    ['a string where an integer belongs', { word: 'abc', count: '2' }, 'M_BAD_JSON'],
    ['a fraction where an integer belongs', { word: 'abc', count: 2.5 }, 'M_BAD_JSON'],
    ['null for a required field', { word: null, count: 1 }, 'M_BAD_JSON'],
    ['a string where an object belongs', { word: 'abc', count: 1, inner: 'x' }, 'M_BAD_JSON'],
    ['a value that breaks a rule', { word: 'ABC', count: 1 }, 'M_INVALID_PARAM'],
  ])('answers %s with %s', async (_case, value, errcode) => {
    await expect(validate(value)).rejects.toMatchObject({ status: 400, errcode });
  });

  it('prefers reporting what is missing over what is wrong', async () => {
    await expect(validate({ word: 'ABC' })).rejects.toMatchObject({ errcode: 'M_MISSING_PARAM', message: 'Missing parameter: count' });
  });

  it('treats null as absent for optional fields, so that handlers never see null', async () => {
    const result = await validate({ word: 'abc', count: 1, inner: null });
    expect(result).toBeInstanceOf(Body);
    expect(result).not.toHaveProperty('inner');
  });

  it('refuses JSON nested too deeply with M_BAD_JSON, without exhausting the stack', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { x: deep };
    await expect(validate({ word: 'abc', count: 1, extra: deep })).rejects.toMatchObject({ status: 400, errcode: 'M_BAD_JSON' });
  });

  it('leaves non-body arguments alone', async () => {
    await expect(pipe.transform('x', { type: 'query', metatype: String })).resolves.toBe('x');
  });
});
