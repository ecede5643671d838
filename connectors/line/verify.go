package line

import (
	"context"
	"fmt"
	"net/http"

	"github.com/relayhq/relay"
)

var _ relay.LINEVerifier = (*Connector)(nil)

// LINEBotInfo asks LINE which bot a channel access token belongs to (GET
// /v2/bot/info): Relay checks an own bot's token with it when the connector
// is created or the token replaced. A 401 or 403 wraps relay.ErrTokenRefused.
func (c *Connector) LINEBotInfo(ctx context.Context, token string) (*relay.LINEBotInfo, error) {
	api, err := c.api(ctx, token)
	if err != nil {
		return nil, err
	}
	res, info, err := api.GetBotInfoWithHttpInfo()
	if err != nil {
		if res != nil && (res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("%w (LINE answered %d)", relay.ErrTokenRefused, res.StatusCode)
		}
		return nil, fmt.Errorf("LINE bot info: %w", err)
	}
	return &relay.LINEBotInfo{UserID: info.UserId, BasicID: info.BasicId, DisplayName: info.DisplayName, PictureURL: info.PictureUrl}, nil
}
