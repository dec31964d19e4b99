package org.portcullis.itests;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (both named by path, so
 * Selenium never looks for or downloads a browser or a driver), in one language, at a desktop's
 * 1280×800. It trusts the appliance's self-signed certificate and keeps the browser's console
 * log, where a Content-Security-Policy violation would show.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver driver;
    final String base;
    /** Where the browser saves what the console hands it to download. */
    final Path downloads;
    private final WebDriverWait wait;

    Browser(int httpsPort, String language) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("Debian's chromium and chromium-driver are needed (./run-tests installs them)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                "--lang=" + language, "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync");
        downloads = Path.of("target", "console-downloads", Long.toString(System.nanoTime())).toAbsolutePath();
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", language, "download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        options.setAcceptInsecureCerts(true);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log")).build();
        driver = new ChromeDriver(service, options);
        base = "https://127.0.0.1:" + httpsPort;
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebElement await(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    <T> T until(Function<WebDriver, T> condition) {
        return wait.until(condition::apply);
    }

    /** Waits until the element's text contains {@code text}, and returns the text. */
    String awaitText(By by, String text) {
        try {
            until(ExpectedConditions.textToBePresentInElementLocated(by, text));
        } catch (org.openqa.selenium.TimeoutException e) {
            List<WebElement> found = driver.findElements(by);
            throw new AssertionError("no \"" + text + "\" in " + by + " after 30 s; it says: "
                    + (found.isEmpty() ? "(not there)" : found.get(0).getText()) + "\nthe page says: "
                    + driver.findElement(By.tagName("body")).getText(), e);
        }
        return driver.findElement(by).getText();
    }

    /** The login form filled and sent; waits for the navigation of a logged-in console. */
    void login(String name, String password) {
        fillLogin(name, password);
        await(By.id("nav"));
    }

    /** Opens the console, logs in and goes to {@code page} (its id: "lists", "backups" …). */
    void loginTo(String name, String password, String page) {
        open("/console/");
        login(name, password);
        await(By.id("nav-" + page)).click();
        await(By.cssSelector("#page-" + page + " h1"));
    }

    void fillLogin(String name, String password) {
        WebElement user = await(By.cssSelector("#login input[name=username]"));
        user.clear();
        user.sendKeys(name);
        WebElement pass = driver.findElement(By.cssSelector("#login input[name=password]"));
        pass.clear();
        pass.sendKeys(password);
        driver.findElement(By.cssSelector("#login button[type=submit]")).click();
    }

    /** Waits for a finished download named {@code name} and returns its bytes. */
    byte[] awaitDownload(String name) throws Exception {
        Path file = downloads.resolve(name);
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.isRegularFile(file) || Files.exists(downloads.resolve(name + ".crdownload"))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no download " + name + " in " + downloads);
            }
            Thread.sleep(100);
        }
        return Files.readAllBytes(file);
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Browser console entries at SEVERE since the last call (a CSP violation, a failed script). */
    List<String> severeLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= 1000)
                .map(LogEntry::getMessage).toList();
    }

    /**
     * Visible text whose colour against the first opaque background behind it is below 4.5:1
     * (WCAG AA for normal text), as "text: ratio".
     */
    @SuppressWarnings("unchecked")
    List<String> lowContrast() {
        return (List<String>) driver.executeScript(String.join("\n",
                "const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);",
                "const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })",
                "  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);",
                "const back = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);",
                "  if (c.length === 3 || c[3] > 0.9) return c.slice(0, 3); } return [255, 255, 255]; };",
                "const low = [];",
                "for (const el of document.querySelectorAll('body *')) {",
                "  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());",
                "  if (!own || !el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;",
                "  const a = lum(rgb(getComputedStyle(el).color)), b = lum(back(el));",
                "  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);",
                "  if (ratio < 4.5) low.push(el.textContent.trim().slice(0, 40) + ': ' + ratio.toFixed(2));",
                "}",
                "return low;"));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
