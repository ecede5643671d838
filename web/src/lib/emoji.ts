// A compact built-in emoji set: enough for reactions and `:` autocomplete without a dependency.
export interface Emoji {
  char: string;
  name: string;
  /** Other names it answers to (Slack's :+1: for :thumbsup:). */
  aliases: string[];
  group: string;
}

const groups: Record<string, string> = {
  Smileys:
    "😀 grinning|😃 smiley|😄 smile|😁 grin|😆 laughing|😅 sweat_smile|🤣 rofl|😂 joy|🙂 slightly_smiling|🙃 upside_down|😉 wink|😊 blush|😇 innocent|🥰 smiling_hearts|😍 heart_eyes|🤩 star_struck|😘 kissing_heart|😋 yum|😛 tongue|😜 wink_tongue|🤪 zany|🤑 money_mouth|🤗 hugs|🤭 hand_over_mouth|🤫 shush|🤔 thinking|🤐 zipper_mouth|🤨 raised_eyebrow|😐 neutral|😑 expressionless|😶 no_mouth|😏 smirk|😒 unamused|🙄 roll_eyes|😬 grimacing|😌 relieved|😔 pensive|😪 sleepy|😴 sleeping|😷 mask|🤒 thermometer_face|🤕 bandage_face|🤢 nauseated|🤧 sneezing|🥵 hot|🥶 cold|😵 dizzy|🤯 exploding_head|🤠 cowboy|🥳 partying|😎 sunglasses|🤓 nerd|🧐 monocle|😕 confused|😟 worried|🙁 frowning|😮 open_mouth|😯 hushed|😲 astonished|😳 flushed|🥺 pleading|😦 frowning_open|😧 anguished|😨 fearful|😰 anxious|😥 sad_relieved|😢 cry|😭 sob|😱 scream|😖 confounded|😣 persevere|😞 disappointed|😓 sweat|😩 weary|😫 tired|🥱 yawning|😤 triumph|😡 rage|😠 angry|🤬 cursing|😈 smiling_imp|💀 skull|💩 poop|🤡 clown|👻 ghost|👽 alien|🤖 robot",
  People:
    "👋 wave|🤚 raised_back_of_hand|✋ hand|🖖 vulcan|👌 ok_hand|🤌 pinched_fingers|✌️ v|🤞 crossed_fingers|🤟 love_you|🤘 metal|🤙 call_me|👈 point_left|👉 point_right|👆 point_up|👇 point_down|☝️ point_up_2|👍 thumbsup +1|👎 thumbsdown -1|✊ fist|👊 punch|👏 clap|🙌 raised_hands|👐 open_hands|🤲 palms_up|🤝 handshake|🙏 pray|✍️ writing_hand|💪 muscle|🧠 brain|👀 eyes|👁️ eye|👶 baby|🧑 person|👩 woman|👨 man|🧑‍💻 technologist|🙋 raising_hand|🤷 shrug|🤦 facepalm|🙇 bow|💁 tipping_hand",
  Nature:
    "🐶 dog|🐱 cat|🐭 mouse|🦊 fox|🐻 bear|🐼 panda|🐨 koala|🐯 tiger|🦁 lion|🐮 cow|🐷 pig|🐸 frog|🐵 monkey|🐔 chicken|🐧 penguin|🐦 bird|🦄 unicorn|🐝 bee|🐛 bug|🦋 butterfly|🐢 turtle|🐍 snake|🐙 octopus|🐳 whale|🌵 cactus|🌲 evergreen|🌱 seedling|🍀 four_leaf_clover|🌸 cherry_blossom|🌻 sunflower|🌹 rose|🌈 rainbow|☀️ sunny|⛅ partly_sunny|🌧️ rain|⛄ snowman|❄️ snowflake|⚡ zap|🔥 fire|💧 droplet|🌊 ocean|🌙 moon|⭐ star|🌟 star2|✨ sparkles",
  Food:
    "🍏 green_apple|🍎 apple|🍊 tangerine|🍋 lemon|🍌 banana|🍉 watermelon|🍇 grapes|🍓 strawberry|🍒 cherries|🍑 peach|🍍 pineapple|🥑 avocado|🌶️ hot_pepper|🌽 corn|🥐 croissant|🍞 bread|🧀 cheese|🍳 cooking|🍔 hamburger|🍟 fries|🍕 pizza|🌮 taco|🍣 sushi|🍜 ramen|🍩 doughnut|🍪 cookie|🎂 birthday|🍰 cake|🍫 chocolate_bar|🍿 popcorn|☕ coffee|🍵 tea|🍺 beer|🍻 beers|🍷 wine_glass|🥂 champagne",
  Activities:
    "⚽ soccer|🏀 basketball|🏈 football|⚾ baseball|🎾 tennis|🏐 volleyball|🏓 ping_pong|🎯 dart|🎮 video_game|🎲 game_die|🧩 jigsaw|🎨 art|🎬 clapper|🎤 microphone|🎧 headphones|🎸 guitar|🎹 musical_keyboard|🏆 trophy|🥇 first_place|🏅 medal|🎉 tada|🎊 confetti_ball|🎈 balloon|🎁 gift|🚀 rocket|✈️ airplane|🚗 car|🚲 bike|⛵ sailboat|🏠 house|🏢 office|🏖️ beach",
  Objects:
    "⌚ watch|📱 iphone|💻 computer|⌨️ keyboard|🖥️ desktop|🖨️ printer|📷 camera|📞 telephone|📺 tv|⏰ alarm_clock|⏳ hourglass|💡 bulb|🔦 flashlight|💰 moneybag|💳 credit_card|💎 gem|🔧 wrench|🔨 hammer|🛠️ tools|⚙️ gear|🔒 lock|🔑 key|📦 package|📫 mailbox|📧 email|✉️ envelope|📝 memo|📅 calendar|📆 date|📌 pushpin|📎 paperclip|✂️ scissors|📊 bar_chart|📈 chart_up|📉 chart_down|📚 books|📖 book|🔗 link|🧪 test_tube|🔍 mag|🛒 shopping_cart|🏷️ label|🗑️ wastebasket",
  Symbols:
    "❤️ heart|🧡 orange_heart|💛 yellow_heart|💚 green_heart|💙 blue_heart|💜 purple_heart|🖤 black_heart|🤍 white_heart|💔 broken_heart|💯 100|💢 anger|💥 boom|💫 dizzy_star|💬 speech_balloon|💭 thought_balloon|💤 zzz|✅ white_check_mark|☑️ ballot_box_with_check|✔️ heavy_check_mark|❌ x|❎ negative_squared_cross|➕ heavy_plus|➖ heavy_minus|❓ question|❗ exclamation|‼️ bangbang|⚠️ warning|🚫 no_entry|⛔ no_entry_sign|🔴 red_circle|🟠 orange_circle|🟡 yellow_circle|🟢 green_circle|🔵 blue_circle|🟣 purple_circle|⚫ black_circle|⚪ white_circle|🆕 new|🆗 ok|🆘 sos|🔔 bell|🔕 no_bell|♻️ recycle|⬆️ arrow_up|⬇️ arrow_down|➡️ arrow_right|⬅️ arrow_left|🔄 arrows_counterclockwise|🏁 checkered_flag|🚩 triangular_flag",
};

export const EMOJI: Emoji[] = Object.entries(groups).flatMap(([group, list]) =>
  list.split("|").map((entry) => {
    const [char, name, ...aliases] = entry.split(" ");
    return { char, name, aliases, group };
  }),
);

export const EMOJI_GROUPS = Object.keys(groups);

/** The reactions offered first. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "👀", "🙏", "✅", "🔥"];

const byName = new Map(EMOJI.flatMap((e) => [e.name, ...e.aliases].map((n) => [n, e.char] as const)));
export const emojiByName = (name: string) => byName.get(name);

/** Emoji one of whose names starts with (then contains) q. */
export function searchEmoji(q: string, limit = 8): Emoji[] {
  const s = q.toLowerCase();
  const names = (e: Emoji) => [e.name, ...e.aliases];
  const starts = EMOJI.filter((e) => names(e).some((n) => n.startsWith(s)));
  const contains = EMOJI.filter((e) => !starts.includes(e) && names(e).some((n) => n.includes(s)));
  return [...starts, ...contains].slice(0, limit);
}
