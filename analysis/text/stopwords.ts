// Stop words: words that say nothing about a document's topic. Four groups, kept apart so that a
// reader can see why a word is here. Content words that are real topic words (model, learning,
// data, language, image, network, time, large, ...) are deliberately NOT listed.
// All entries are lower-case surface forms; the tokenizer checks both the surface form and the
// term key (so 'results' is dropped through 'result').

/**
 * wink-nlp's stop word list (its.stopWordFlag of wink-eng-lite-web-model 1.8), written out so
 * that this module is pure and cheap. test/text.test.ts checks it still equals what wink flags.
 */
export const WINK_STOP_WORDS: readonly string[] = (
  'a about above across after afterwards again against all almost alone along already also although always am ' +
  'among amongst amount an and another any anyhow anyone anything anyway anywhere are around as at back be became ' +
  'because become becomes becoming been before beforehand behind being below beside besides between beyond both ' +
  'bottom but by call can could did do does doing done down due during each eight either eleven else elsewhere ' +
  'empty enough etc even ever every everyone everywhere except few fifteen fifty first five for former formerly ' +
  'forty four from front full further get give go had has have he hence her here hereafter hereby herein hereupon ' +
  'hers herself him himself his how however hundred i ie if in inc indeed into is it its itself just keep last ' +
  'latter latterly least less made make many may me meanwhile might mine more moreover most mostly move much must ' +
  'my myself name namely neither never nevertheless next nine no nobody none nor not nothing now nowhere of off ' +
  'often on once one only onto or other otherwise our ours ourselves out over own part per perhaps please put quite ' +
  'rather re really regarding same say see seem seemed seeming seems serious seven several she should show side ' +
  'since six sixty so some somehow someone something sometime sometimes somewhere still such take ten than that the ' +
  'their them themselves then thence there thereafter thereby therefore therein these they third this those though ' +
  'three throughout thru thus to together too top toward towards twelve twenty two under unless until up upon us ' +
  'used using various very via was we well were what whatever when whence whenever where whereas whereby wherein ' +
  'wherever whether which while who whoever whole whom whose why will with within without would yet you your yours ' +
  'yourself yourselves'
).split(' ');

/** English function words and filler that wink's list lacks (verb forms, hedges, connectives). */
export const ENGLISH_FUNCTION_WORDS: readonly string[] = (
  'able according accordingly actually additionally almost already also although anybody anymore apparently ' +
  'aside away based became begin began begun behalf besides came cannot certain certainly clearly come comes ' +
  'coming considerably consequently currently despite does doing dont either else especially eventually ' +
  'everybody everything evidently example examples fairly far finally following follows gave generally gets ' +
  'getting given gives giving goes going gone good got gotten great greater greatly hardly having highly ' +
  'instead issue issues kind known largely later lets like likely little lot lots mainly maybe meanwhile ' +
  'merely near nearly necessarily need needed needs non nonetheless normally notably obviously okay ones ' +
  'particular particularly possible possibly presumably previously primarily probably quickly rarely readily ' +
  'recent recently relatively respectively right said same says seen shall shown simply slightly sort specific ' +
  'specifically strongly sure take taken takes taking tell tends thank thanks thing things think thinking thought ' +
  'told took truly try trying typically unlike unto usually versus want wanted wants way ways went whilst widely ' +
  'yes etc e-mail vs don doesn didn isn wasn aren couldn wouldn shouldn haven hasn hadn weren won ain'
).split(' ');

/**
 * Research-abstract boilerplate: the verbs and adjectives every abstract uses to frame its claim
 * ("we propose a novel approach ... extensive experiments show significant performance gains").
 */
export const ABSTRACT_BOILERPLATE: readonly string[] = (
  'paper papers work works study studies article approach approaches method methods methodology technique ' +
  'techniques framework result results resulting propose proposed proposes proposing present presents presented ' +
  'presenting demonstrate demonstrates demonstrated demonstrating show shows showed showing reveal reveals ' +
  'revealed introduce introduces introduced introducing develop develops developed achieve achieves achieved ' +
  'achieving achievement outperform outperforms outperformed outperforming improve improves improved improving ' +
  'improvement improvements enable enables enabled enabling allow allows allowed allowing provide provides ' +
  'provided providing leverage leverages leveraged leveraging utilize utilizes utilized utilizing employ employs ' +
  'employed employing use uses investigate investigates investigated explore explores explored exploring ' +
  'address addresses addressed addressing tackle tackles aim aims aimed focus focuses focused consider ' +
  'considers considered obtain obtains obtained yield yields yielded find finds found findings finding ' +
  'novel new existing prior previous traditional conventional current state-of-the-art sota extensive ' +
  'extensively comprehensive experiment experiments experimental empirical empirically performance perform ' +
  'performs performed performing significantly significant substantially substantial notably remarkable ' +
  'remarkably promising competitive effective effectively effectiveness superior better best furthermore ' +
  'however moreover additionally addition also thus therefore hence respectively overall key main important ' +
  'importance crucial challenge challenges challenging various diverse different several including include ' +
  'includes included lead leads leading require requires required requiring compared compare comparison ' +
  'baseline baselines demonstrates paradigm potential real-world code available publicly github furthermore ' +
  'insight insights understanding abstract introduction conclusion conclusions so-called well-known wide ' +
  'broad range numerous fig figure figures table tables section sections et al respectively remain remains ' +
  'remained underexplored enhance enhances enhanced enhancing integrate integrates integrated integrating rely ' +
  'relies relying limitation limitations'
).split(' ');

/**
 * Mail and Usenet boilerplate (quoting lines, headers, signatures), so that 20 Newsgroups posts
 * cluster by what they discuss rather than by how they were posted.
 */
export const MAIL_BOILERPLATE: readonly string[] = (
  're writes wrote write writing article articles subject edu com org net gov mil uucp from ' +
  'organization organisation nntp posting host reply reply-to distribution newsreader version message messages ' +
  'msg keywords summary sender path apr mar feb jan dec nov oct sep aug jul jun email mail mailing post posted ' +
  'posts newsgroup newsgroups usenet netnews cc fax phone tel ext anybody anyone hello hi regards cheers sincerely ' +
  'thanks thank advance appreciated appreciate know knows knew question questions answer answers help please ' +
  'wondering wonder let hey yeah guess'
).split(' ');

/**
 * Short filler: two-letter tokens are kept as terms since tok-4 ('ai', 'rl', '3d', 'uk', 'os',
 * 'pc'), so titles, initials, abbreviations of Latin / French / Spanish function words and
 * roman numerals that are not topics go here.
 */
export const SHORT_FILLER: readonly string[] = (
  'mr ms mrs dr st jr sr ok oh eh ah uh um hm ha ya yo eg cf al vs pp ed eds ex co th nd rd ll ve pm ps ' +
  'de la le el en et di da du un il na ne ni nu ca ii iii iv vi vii viii ix xi xx id im pg ch vol fig eq'
).split(' ');

/**
 * Calendar words: dates are everywhere in mail headers, budget passages ("the fiscal year ending
 * June 30") and announcements, and make collocation junk ('ending june'). 'march', 'may' and
 * 'august' are also ordinary words; 'may' is in wink's list, the other two are kept.
 */
export const CALENDAR_WORDS: readonly string[] = (
  'january february april june july september october november december monday tuesday wednesday ' +
  'thursday friday saturday sunday ending'
).split(' ');

/**
 * Two-word boilerplate that passes the collocation test because it is a fixed phrase, but says
 * nothing about the topic. Written as term keys (singular, as termKey folds them): 'keyA keyB'.
 */
export const BOILERPLATE_PHRASES: ReadonlySet<string> = new Set([
  'project page',
  'project website',
  'future research',
  'future work',
  'future direction',
  'research direction',
  'recent year',
  'recent advance',
  'last year',
  'past year',
  'next year',
  'year ending',
  'large number',
  'wide variety',
  'open question',
  'open problem',
  'real world',
  'case study',
]);

/** The default stop set: union of the lists above. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  ...WINK_STOP_WORDS,
  ...ENGLISH_FUNCTION_WORDS,
  ...ABSTRACT_BOILERPLATE,
  ...MAIL_BOILERPLATE,
  ...SHORT_FILLER,
  ...CALENDAR_WORDS,
]);

/** The default set plus `extra` (lower-cased); returns the shared default set when there is nothing extra. */
export function buildStopWords(extra: readonly string[] = []): ReadonlySet<string> {
  if (extra.length === 0) return STOP_WORDS;
  const set = new Set(STOP_WORDS);
  for (const w of extra) {
    if (typeof w !== 'string') throw new TypeError('extraStopWords must be strings');
    set.add(w.toLowerCase().trim());
  }
  return set;
}
