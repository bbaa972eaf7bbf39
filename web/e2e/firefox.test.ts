import { openFirefox } from './firefox';
import { smokeSuite } from './smoke';

// Firefox (Debian's firefox-esr), driven by puppeteer-core over WebDriver BiDi.
smokeSuite(openFirefox, 'firefox');
